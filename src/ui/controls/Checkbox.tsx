// A labelled checkbox for one boolean config field, with an optional hint under the label (data-testid control-<id>).
import { memo } from 'react';

export interface CheckboxProps {
  id: string;
  label: string;
  checked: boolean;
  /** Returns whether the store accepted the value. */
  onChange: (v: boolean) => boolean;
  hint?: string;
}

// memo: a control re-renders only when its own props change. React re-applies an input's name and type on every
// render, and each such attribute write restyles the control: the sidebar re-renders while a run trains (its hints
// follow the measured pace), its inputs need not.
export const Checkbox = memo(function Checkbox({ id, label, checked, onChange, hint }: CheckboxProps) {
  return (
    <label className="checkbox" htmlFor={id}>
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} data-testid={`control-${id}`} />
      <span>{label}{hint && <span className="radio-desc">{hint}</span>}</span>
    </label>
  );
});
