/* Bak murene: the cookie notice. It informs and offers one button, "OK, jeg forstår": there is no way
 * to refuse. Pressing it only hides the notice (cookie "cookie_info=lest"); the tags run regardless
 * (see sporing.js). */
(function () {
  'use strict';
  if (/(?:^|;\s*)cookie_info=lest(?:;|$)/.test(document.cookie)) return;

  var STYLE =
    '.bm-info { position: fixed; left: 16px; right: 16px; bottom: 16px; z-index: 2147483000; display: flex;' +
    '  align-items: center; gap: 20px; padding: 14px 20px; border-radius: 10px;' +
    '  font: 15px/1.5 "Trebuchet MS", Arial, sans-serif; color: #ffffff; background-color: #3d2c5a; }' +
    '.bm-info p { flex: 1; margin: 0; }' +
    '.bm-info a { color: #ffd88a; }' +
    '.bm-info button { padding: 10px 22px; border: 0; border-radius: 20px;' +
    '  font: 700 15px "Trebuchet MS", Arial, sans-serif; color: #3d2c5a; background-color: #ffd88a; cursor: pointer; }';
  function showNotice() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var bar = document.createElement('div');
    bar.className = 'bm-info';
    bar.setAttribute('role', 'dialog');
    bar.setAttribute('aria-label', 'Informasjonskapsler');
    bar.innerHTML =
      '<p>Vi bruker informasjonskapsler (cookies) for å gi deg en best mulig opplevelse på nettsiden vår. ' +
      '<a href="/chat.html#personvern">Les mer</a></p>' +
      '<button type="button">OK, jeg forstår</button>';
    document.body.appendChild(bar);
    bar.querySelector('button').addEventListener('click', function () {
      document.cookie = 'cookie_info=lest; Path=/; Max-Age=31536000; SameSite=Lax; Secure';
      bar.remove();
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showNotice);
  else showNotice();
})();
