import type { ReactNode, Ref } from 'react';
import { codeInputAttributes, type CodeKind } from './code-input-attributes';

export interface CodeInputProps {
  kind: CodeKind;
  /** The input's id; the label points at it, and pages move focus to it. */
  id: string;
  /** The visible label, which is also the field's accessible name. */
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  name?: string;
  ref?: Ref<HTMLInputElement>;
  /** Marks the field invalid for assistive technology (set while an error about it is shown). */
  isInvalid?: boolean;
  /** The id of the element that explains the current error. */
  describedBy?: string | undefined;
}

/**
 * The one field people type a code into: a labelled input whose keyboard, autofill, pattern and
 * length come from the code's format, so every page that asks for a code asks the same way.
 */
export function CodeInput({ kind, id, label, value, onChange, name, ref, isInvalid, describedBy }: CodeInputProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        ref={ref}
        id={id}
        name={name}
        className="code-input"
        {...codeInputAttributes(kind)}
        required
        value={value}
        onChange={(event) => {
          onChange(event.target.value);
        }}
        aria-invalid={isInvalid}
        aria-describedby={describedBy}
      />
    </div>
  );
}
