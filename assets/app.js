// Toasts (htmx error messages) leave by themselves, or on a click.
document.addEventListener("htmx:afterSwap", function (event) {
  if (event.detail.target && event.detail.target.id === "toasts") {
    var toast = event.detail.target.lastElementChild;
    if (toast) { setTimeout(function () { toast.remove(); }, 8000); }
  }
});
document.addEventListener("click", function (event) {
  if (event.target.classList && event.target.classList.contains("toast")) { event.target.remove(); }
});

// Checkout: the address is asked for delivery only, and the payment follows the choice.
document.addEventListener("change", function (event) {
  if (event.target.name !== "fulfilment") { return; }
  var delivery = event.target.value === "delivery";
  var address = document.querySelector('fieldset[data-for="delivery"]');
  if (address) { address.hidden = !delivery; }
  var pay = document.querySelector('input[name="payment"][value="' + (delivery ? "on_delivery" : "at_pickup") + '"]');
  if (pay) { pay.checked = true; }
});

// A form that came back with errors: its summary (with links to the fields) gets the focus.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
});

// The counter: a known customer's name or address fills the order form in one tap.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-fill]");
  if (!button) { return; }
  var values = JSON.parse(button.dataset.fill);
  Object.keys(values).forEach(function (name) {
    var field = document.querySelector('.counter-order [name="' + name + '"]');
    if (field) { field.value = values[name]; }
  });
});
