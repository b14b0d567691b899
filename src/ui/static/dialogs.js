// Modal confirmation dialogs (the native <dialog>): a title, what will happen,
// optional inputs, Cancel and a confirm button. The action runs only on
// confirm; when the server refuses, the dialog stays open with the error and
// the field it names, so the operator can correct it or cancel.

import { describeError } from './api.js';
import { h } from './dom.js';

let counter = 0;

/**
 * openDialog({ title, description, content, confirmLabel, danger, action })
 * action(form) runs on confirm; its result resolves the promise. Cancel resolves undefined.
 */
export function openDialog({ title, description, content = [], confirmLabel, danger = false, action }) {
  const id = `dialog-${++counter}`;
  const error = h('p', { class: 'error', role: 'alert', id: `${id}-error`, hidden: true });
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const confirm = h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, confirmLabel);
  const form = h(
    'form',
    { novalidate: true },
    h('h2', { id: `${id}-title` }, title),
    description === undefined ? null : h('p', { id: `${id}-description` }, description),
    content,
    error,
    h('div', { class: 'buttons' }, cancel, confirm),
  );
  const dialog = h('dialog', { 'aria-labelledby': `${id}-title`, 'aria-describedby': description === undefined ? undefined : `${id}-description` }, form);
  document.body.appendChild(dialog);

  return new Promise((resolve) => {
    let busy = false;
    const finish = (result) => {
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    cancel.addEventListener('click', () => finish(undefined));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      if (!busy) finish(undefined);
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      confirm.disabled = true;
      cancel.disabled = true;
      form.setAttribute('aria-busy', 'true');
      for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
      try {
        const result = await action(form);
        finish(result);
      } catch (err) {
        error.textContent = describeError(err);
        error.hidden = false;
        const field = err?.field && form.elements.namedItem(err.field);
        if (field instanceof HTMLElement) {
          field.setAttribute('aria-invalid', 'true');
          field.setAttribute('aria-describedby', error.id);
          field.focus();
        }
      } finally {
        busy = false;
        confirm.disabled = false;
        cancel.disabled = false;
        form.removeAttribute('aria-busy');
      }
    });
    dialog.showModal();
    const first = form.querySelector('input, select, textarea');
    (first ?? confirm).focus();
  });
}

/** A labelled input or select for a dialog; `control` is the element, `name` its field. */
export function field(labelText, control, hint) {
  const id = `field-${++counter}`;
  control.id = id;
  const hintNode = hint === undefined ? null : h('small', { id: `${id}-hint` }, hint);
  if (hintNode !== null) control.setAttribute('aria-describedby', hintNode.id);
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintNode);
}
