// A labelled number input checked against the config's range while typing: an invalid entry is flagged and never
// committed, and leaving the field restores the last valid value.
import { useEffect, useState, type ReactNode, memo } from 'react';

export interface NumberFieldProps {
  id: string;
  label: ReactNode;
  value: number;
  range: { min: number; max: number; integer: boolean };
  /** Returns whether the store accepted the value (cross-field checks can still refuse it). */
  onCommit: (v: number) => boolean;
  testId: string;
  hint?: ReactNode;
  live?: boolean;
  disabled?: boolean;
  step?: number;
  /** Extra content on the right of the input (a button, a unit). */
  after?: ReactNode;
}

// memo: a control re-renders only when its own props change. React re-applies an input's name and type on every
// render, and each such attribute write restyles the control: the sidebar re-renders while a run trains (its hints
// follow the measured pace), its inputs need not.
export const NumberField = memo(function NumberField({ id, label, value, range, onCommit, testId, hint, live, disabled, step, after }: NumberFieldProps) {
  const [draft, setDraft] = useState(String(value));
  const [error, setError] = useState<string | null>(null);

  // Follow outside changes (a link, a sweep) but keep what the user is typing when it already means this value.
  useEffect(() => {
    setDraft((d) => (d.trim() !== '' && Number(d) === value ? d : String(value)));
  }, [value]);

  const check = (text: string): { v: number } | { error: string } => {
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim())) return { error: 'enter a number' };
    const v = Number(text);
    if (v < range.min || v > range.max) return { error: `between ${range.min} and ${range.max}` };
    if (range.integer && !Number.isInteger(v)) return { error: 'a whole number' };
    return { v };
  };

  const onChange = (text: string) => {
    setDraft(text);
    const r = check(text);
    if ('error' in r) return setError(r.error);
    setError(onCommit(r.v) ? null : 'not valid with the other settings');
  };

  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${disabled ? ' field-disabled' : ''}`}>
      <div className="field-head">
        <label htmlFor={id}>{label}</label>
        {live && <span className="live-tag" title="Changing this during a run applies at the next step and marks the charts">live</span>}
      </div>
      <div className="field-row">
        <input
          id={id}
          type="number"
          inputMode={range.integer ? 'numeric' : 'decimal'}
          min={range.min}
          max={range.max}
          step={step ?? (range.integer ? 1 : 'any')}
          value={draft}
          disabled={disabled}
          aria-invalid={error !== null}
          aria-describedby={describedBy}
          data-testid={`control-${testId}`}
          onChange={(e) => onChange(e.currentTarget.value)}
          onBlur={() => {
            setDraft(String(value));
            setError(null);
          }}
        />
        {after}
      </div>
      {error && <p id={`${id}-error`} className="field-error" role="alert">{error}</p>}
      {hint && <p id={`${id}-hint`} className="field-hint">{hint}</p>}
    </div>
  );
});
