// A dialog around one form the API answers: its fields, beside each the issue the API found with it, the
// problem's other issues in an alert, then the submit and Cancel buttons.
import type { ReactNode } from 'react';
import { fieldErrors } from '#console/api/client.ts';
import { Dialog } from './dialog.tsx';
import { ProblemAlert } from './problem-alert.tsx';

export function FormDialog(props: {
  title: string;
  /** The request the form sends: its failure, and whether it is under way (the submit waits for it). */
  request: { error: unknown; isPending: boolean };
  /** The fields the form shows an issue beside; the alert lists the rest. */
  fields: string[];
  submit: { label: string; className: 'primary' | 'danger'; ready?: boolean };
  onSubmit(): void;
  onClose(): void;
  children(errors: Record<string, string>): ReactNode;
}) {
  const { request, submit } = props;
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          props.onSubmit();
        }}
      >
        {props.children(fieldErrors(request.error))}
        <ProblemAlert error={request.error} shownFields={props.fields} />
        <div className="buttons">
          <button
            type="submit"
            className={submit.className}
            disabled={request.isPending || submit.ready === false}
          >
            {submit.label}
          </button>
          <button type="button" onClick={() => props.onClose()}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
