// The service's standard price (unlock fee, per minute, per km), in euros on the form and in
// minor units on the wire; the current plans are listed above it.
import { gql } from '../../api.js';
import { el, errorBox, field, statusLine } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';

/** The form over `editor` ({id, service, reload}); `show()` lists the service's plans again. */
export function priceForm(editor) {
  const currency = el('input', { type: 'text', name: 'currency', value: 'EUR', maxlength: 3, required: true });
  const unlock = el('input', { type: 'number', name: 'unlockFee', min: 0, step: 0.01, inputmode: 'decimal' });
  const perMinute = el('input', { type: 'number', name: 'perMinute', min: 0, step: 0.01, inputmode: 'decimal' });
  const perKm = el('input', { type: 'number', name: 'perKm', min: 0, step: 0.01, inputmode: 'decimal' });
  const current = el('div');
  const message = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'price-title' },
    el('h2', { id: 'price-title' }, t('partner.prices')), current,
    field(t('partner.currency'), currency),
    el('div', { class: 'row' }, field(t('partner.unlock'), unlock), field(t('partner.perMinute'), perMinute), field(t('partner.perKm'), perKm)),
    message, el('button', { type: 'submit', class: 'primary' }, t('partner.savePrice')));
  const cents = (input) => (input.value === '' ? 0 : Math.round(Number(input.value) * 100));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const plan = { externalId: 'standard', name: 'Standard', currency: currency.value.trim().toUpperCase(), unlockFeeMinor: cents(unlock), perMinuteMinor: cents(perMinute), perKmMinor: cents(perKm) };
    message.replaceChildren(statusLine(t('partner.saving')));
    try {
      await gql('mutation Price($id: ID!, $plan: PricingPlanInput!) { setPricingPlan(serviceId: $id, plan: $plan) { externalId } }', { id: editor.id, plan }, { auth: true });
      message.replaceChildren(el('p', { class: 'success' }, t('partner.priceSaved')));
      await editor.reload();
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  return {
    form,
    show() {
      const plans = editor.service.pricingPlans;
      current.replaceChildren(plans.length
        ? el('ul', { class: 'plain' }, plans.map((plan) => el('li', {}, `${plan.name}: ${fmt.price(plan.unlockFeeMinor, plan.currency)} + ${fmt.price(plan.perMinuteMinor, plan.currency)}/min`)))
        : el('p', {}, t('services.noPrices')));
    },
  };
}
