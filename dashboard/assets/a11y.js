/* crossgen: keyboard access to Dash 4's dropdowns (WCAG 2.1.1, 4.1.2).
 * Dash's dropdown puts a focusable helper input inside aria-hidden and takes its real button
 * (the one with the label and the listbox popup) out of the tab order. Swap them: the button
 * is reached with Tab and opened with Enter or Space like any button; the helper is left
 * out of the tab order, so nothing focusable hides from screen readers. */
(function () {
  function fix(root) {
    root.querySelectorAll('.dash-dropdown-focus-target').forEach(function (el) {
      if (el.getAttribute('tabindex') !== '-1') { el.setAttribute('tabindex', '-1'); }
    });
    root.querySelectorAll('button.dash-dropdown').forEach(function (el) {
      if (el.getAttribute('tabindex') !== '0') { el.setAttribute('tabindex', '0'); }
    });
  }
  new MutationObserver(function () { fix(document); }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['tabindex']
  });
  document.addEventListener('DOMContentLoaded', function () { fix(document); });
})();
