// A labelled range input over a list of stops (log-scale tau and lr, powers-of-two batch, linear alpha), with the
// value shown next to the label and announced through aria-valuetext. Keyboard: arrows, Page Up/Down, Home/End.
import { memo, type ReactNode } from 'react';
import { nearestStop, stopAt } from '../sliderScale';

export interface StopSliderProps {
  id: string;
  label: ReactNode;
  value: number;
  stops: readonly number[];
  format: (v: number) => string;
  onChange: (v: number) => void;
  /** data-testid suffix: the input is control-<testId>, the shown value value-<testId>. */
  testId: string;
  /** "log scale" under the middle of the track. */
  scaleNote?: string;
  hint?: ReactNode;
  disabled?: boolean;
  /** Applies during a run (shown as a "live" tag). */
  live?: boolean;
}

// memo: a control re-renders only when its own props change. React re-applies an input's name and type on every
// render, and each such attribute write restyles the control: the sidebar re-renders while a run trains (its hints
// follow the measured pace), its inputs need not.
export const StopSlider = memo(function StopSlider({ id, label, value, stops, format, onChange, testId, scaleNote, hint, disabled, live }: StopSliderProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={`field${disabled ? ' field-disabled' : ''}`}>
      <div className="field-head">
        <label htmlFor={id}>{label}</label>
        {live && <span className="live-tag" title="Changing this during a run applies at the next step and marks the charts">live</span>}
        <output htmlFor={id} className="field-value" data-testid={`value-${testId}`}>{format(value)}</output>
      </div>
      <input
        id={id}
        type="range"
        min={0}
        max={stops.length - 1}
        step={1}
        value={nearestStop(stops, value)}
        aria-valuetext={format(value)}
        aria-describedby={hintId}
        data-testid={`control-${testId}`}
        disabled={disabled}
        onChange={(e) => onChange(stopAt(stops, Number(e.currentTarget.value)))}
      />
      <div className="field-scale" aria-hidden="true">
        <span>{format(stops[0]!)}</span>
        {scaleNote && <span>{scaleNote}</span>}
        <span>{format(stops[stops.length - 1]!)}</span>
      </div>
      {hint && <p id={hintId} className="field-hint">{hint}</p>}
    </div>
  );
});
