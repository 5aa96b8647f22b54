export { DrillChart, drillSeriesStyles, type DrillChartProps } from './drill-chart';
export { formatEventTime, niceCeiling, summarizeDrillTimeline, type DrillEvent, type DrillSecond } from './summary';
