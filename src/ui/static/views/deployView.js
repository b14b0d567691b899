// Deploy from JSON: a Marathon app definition in a text area, checked as JSON
// here, then sent after a confirmation; the server's refusal is shown with the
// field it names. Built once and kept, so that a refresh never wipes what the
// operator typed.

import { ApiError } from '../api.js';
import { h } from '../dom.js';

export const EXAMPLE_APP = {
  id: '/example/notes',
  cmd: 'while true; do date >> data/notes; sleep 5; done',
  cpus: 0.1,
  mem: 32,
  instances: 1,
  portDefinitions: [],
  container: {
    type: 'MESOS',
    volumes: [{ containerPath: 'data', mode: 'RW', external: { name: 'example-notes-data', size: 64, provider: 'ferry' } }],
  },
};

export function deployView(actions, navigate) {
  const textarea = h('textarea', {
    id: 'definition',
    name: 'definition',
    rows: '20',
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-describedby': 'definition-hint',
  });
  textarea.value = JSON.stringify(EXAMPLE_APP, null, 2);
  const error = h('div', { id: 'deploy-error', class: 'error', role: 'alert', hidden: true });
  const result = h('p', { id: 'deploy-result', role: 'status' });

  const showError = (fieldName, message) => {
    error.replaceChildren(h('p', {}, 'Not deployed: ', fieldName ? [h('strong', { class: 'field-name' }, fieldName), ': '] : null, message));
    error.hidden = false;
    textarea.setAttribute('aria-invalid', 'true');
    textarea.setAttribute('aria-describedby', 'definition-hint deploy-error');
    result.textContent = '';
  };
  const clearError = () => {
    error.hidden = true;
    error.replaceChildren();
    textarea.removeAttribute('aria-invalid');
    textarea.setAttribute('aria-describedby', 'definition-hint');
  };

  const form = h(
    'form',
    { id: 'deploy-form', novalidate: true },
    h('label', { for: 'definition' }, 'App definition (Marathon JSON)'),
    h(
      'p',
      { id: 'definition-hint', class: 'hint' },
      'The dataset is one of container.volumes[]: external with provider "ferry" and a size in MiB, or persistent for the local backend. ',
      'An app whose id already exists is updated.',
    ),
    textarea,
    error,
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary' }, 'Deploy…'),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            textarea.value = JSON.stringify(EXAMPLE_APP, null, 2);
            clearError();
          },
        },
        'Reset to the example',
      ),
    ),
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    let definition;
    try {
      definition = JSON.parse(textarea.value);
    } catch (err) {
      showError('body', `the definition is not valid JSON: ${err.message}`);
      textarea.focus();
      return;
    }
    if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
      showError('body', 'the definition must be one JSON object');
      return;
    }
    const outcome = await actions.deploy(definition);
    if (outcome === undefined) return;
    if (outcome.error !== undefined) {
      const err = outcome.error;
      showError(err instanceof ApiError ? err.field : undefined, err.message);
      textarea.focus();
      return;
    }
    const id = outcome.answer?.app?.id ?? definition.id;
    result.textContent = `Deployed ${id}.`;
    navigate('#/apps', `Deployed ${id}.`);
  });

  return h('section', { 'aria-labelledby': 'deploy-heading' }, h('h2', { id: 'deploy-heading' }, 'Deploy an app'), form);
}
