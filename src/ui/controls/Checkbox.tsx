// A labelled checkbox for one boolean config field, with an optional hint under the label (data-testid control-<id>).

export interface CheckboxProps {
  id: string;
  label: string;
  checked: boolean;
  /** Returns whether the store accepted the value. */
  onChange: (v: boolean) => boolean;
  hint?: string;
}

export function Checkbox({ id, label, checked, onChange, hint }: CheckboxProps) {
  return (
    <label className="checkbox" htmlFor={id}>
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} data-testid={`control-${id}`} />
      <span>{label}{hint && <span className="radio-desc">{hint}</span>}</span>
    </label>
  );
}
