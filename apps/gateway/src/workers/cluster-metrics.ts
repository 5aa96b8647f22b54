// GatewayMetrics for a worker process: the same metrics, but /metrics answers for the whole
// gateway (all workers merged by the primary), whichever worker the connection landed on.
// Under one process it is GatewayMetrics unchanged.
import { GatewayMetrics } from '../metrics';
import { isClusterWorker, requestMergedMetrics, shareMetricsRegistry } from './worker-link';

export class ClusterGatewayMetrics extends GatewayMetrics {
  constructor(options: ConstructorParameters<typeof GatewayMetrics>[0]) {
    super(options);
    if (isClusterWorker()) shareMetricsRegistry(this.registry);
  }

  override render(): Promise<string> {
    return isClusterWorker() ? requestMergedMetrics() : super.render();
  }
}
