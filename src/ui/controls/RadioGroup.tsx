// A radio group as a fieldset whose legend text names it (role radiogroup), one native radio per option: arrow keys
// move the choice, and each option may carry a one-line description.
import type { ReactNode } from 'react';

export interface RadioOption<T extends string> {
  value: T;
  label: ReactNode;
  description?: ReactNode;
  /** An option that cannot be chosen with the current settings (its description says why). */
  disabled?: boolean;
}

export interface RadioGroupProps<T extends string> {
  name: string;
  legend: ReactNode;
  value: T;
  options: readonly RadioOption<T>[];
  onChange: (v: T) => void;
  testId: string;
  live?: boolean;
  hint?: ReactNode;
  disabled?: boolean;
}

export function RadioGroup<T extends string>({ name, legend, value, options, onChange, testId, live, hint, disabled }: RadioGroupProps<T>) {
  const legendId = `${name}-legend`;
  return (
    <fieldset className="field radio-group" role="radiogroup" aria-labelledby={legendId} data-testid={`control-${testId}`} disabled={disabled}>
      <legend className="field-head">
        <span id={legendId}>{legend}</span>
        {live && <span className="live-tag" title="Changing this during a run applies at the next step and marks the charts">live</span>}
      </legend>
      <div className="radio-options">
        {options.map((o) => (
          <label key={o.value} className={`radio${o.value === value ? ' radio-checked' : ''}${o.disabled ? ' radio-disabled' : ''}`}>
            <input
              type="radio"
              name={name}
              value={o.value}
              disabled={o.disabled}
              checked={o.value === value}
              onChange={() => onChange(o.value)}
              data-testid={`${testId}-${o.value}`}
            />
            <span className="radio-text">
              <span className="radio-label">{o.label}</span>
              {o.description && <span className="radio-desc">{o.description}</span>}
            </span>
          </label>
        ))}
      </div>
      {hint && <p className="field-hint">{hint}</p>}
    </fieldset>
  );
}
