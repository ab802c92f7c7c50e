// Keyboard behaviour shared by every dialog of the page. Native modal
// <dialog>s already make the page behind them inert and close on Escape; this
// adds the wrap-around of Tab / Shift+Tab inside the dialog (the browser
// would otherwise move focus out to its own toolbar) and gives focus back to
// the control that opened the dialog when it closes.

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

function focusables(dialog) {
  return [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => !el.disabled && el.getClientRects().length > 0);
}

export function enhanceDialogs(root = document) {
  for (const dialog of root.querySelectorAll('dialog')) {
    let opener = null;
    const show = dialog.showModal.bind(dialog);
    dialog.showModal = () => {
      opener = document.activeElement;
      show();
    };
    dialog.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Tab') return;
      const list = focusables(dialog);
      if (list.length === 0) return;
      const first = list[0];
      const last = list[list.length - 1];
      if (ev.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
        ev.preventDefault();
        last.focus();
      } else if (!ev.shiftKey && document.activeElement === last) {
        ev.preventDefault();
        first.focus();
      }
    });
    dialog.addEventListener('close', () => {
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      opener = null;
    });
  }
}
