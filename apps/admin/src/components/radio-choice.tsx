'use client';

/**
 * One choice of a few, as a fieldset of radio buttons in a row (the console's forms: fail mode,
 * user verification). The legend names the question, each label a whole answer.
 */
export function RadioChoice<V extends string>({
  legend,
  name,
  value,
  options,
  onChange,
}: {
  legend: string;
  name: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange: (value: V) => void;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div className="radio-row">
        {options.map((option) => (
          <label key={option.value}>
            <input
              type="radio"
              name={name}
              checked={value === option.value}
              onChange={() => {
                onChange(option.value);
              }}
            />{' '}
            {option.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
