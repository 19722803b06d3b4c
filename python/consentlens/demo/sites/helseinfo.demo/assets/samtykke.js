/* Helseveiviseren: the consent dialog (a centred modal in the style of common consent platforms).
 * It asks, remembers the answer in the first-party cookie "samtykke" ("nodvendige" after a refusal,
 * "nodvendige.statistikk.markedsforing" after "Godta alle") and publishes it as window.siteConsent
 * ({choice, onAnswer(fn)}). The site's tags do not ask it anything (see sporing.js). */
(function () {
  'use strict';
  var listeners = [];
  function readChoice() {
    var match = document.cookie.match(/(?:^|;\s*)samtykke=([a-z.]+)(?:;|$)/);
    if (!match) return null;
    var granted = match[1].split('.');
    return { statistics: granted.indexOf('statistikk') >= 0, marketing: granted.indexOf('markedsforing') >= 0 };
  }
  function storeChoice(yes) {
    document.cookie = 'samtykke=' + (yes ? 'nodvendige.statistikk.markedsforing' : 'nodvendige') +
      '; Path=/; Max-Age=31536000; SameSite=Lax; Secure';
    window.siteConsent.choice = { statistics: yes, marketing: yes };
    listeners.forEach(function (fn) { fn(window.siteConsent.choice); });
  }
  window.siteConsent = { choice: readChoice(), onAnswer: function (fn) { listeners.push(fn); } };
  if (window.siteConsent.choice) return;

  var STYLE =
    '.hv-bakgrunn { position: fixed; inset: 0; z-index: 2147483000; display: flex; align-items: center;' +
    '  justify-content: center; background-color: rgba(12, 28, 48, 0.55); }' +
    '.hv-samtykke { width: 460px; max-width: calc(100% - 32px); box-sizing: border-box; padding: 28px;' +
    '  border-radius: 10px; font: 15px/1.55 Arial, Helvetica, sans-serif; color: #0c1c30; background-color: #ffffff; }' +
    '.hv-samtykke h2 { margin: 0 0 10px; font-size: 20px; }' +
    '.hv-samtykke p { margin: 0 0 18px; }' +
    '.hv-samtykke a { color: #005b96; }' +
    '.hv-samtykke .knapper { display: flex; gap: 12px; }' +
    '.hv-samtykke button { flex: 1; padding: 12px; border: 0; border-radius: 6px;' +
    '  font: 700 15px Arial, Helvetica, sans-serif; color: #ffffff; background-color: #005b96; cursor: pointer; }';
  var MARKUP =
    '<div class="hv-samtykke" role="dialog" aria-modal="true" aria-labelledby="hv-tittel" aria-describedby="hv-tekst">' +
    '  <h2 id="hv-tittel">Vi bryr oss om personvernet ditt</h2>' +
    '  <p id="hv-tekst">Helseveiviseren og våre partnere bruker informasjonskapsler og lignende teknologi ' +
    '  for å måle bruken av nettstedet og for å tilpasse annonser. Du kan godta eller avvise dette. ' +
    '  <a href="/#om">Les mer</a></p>' +
    '  <div class="knapper">' +
    '    <button type="button" data-svar="ja">Godta alle</button>' +
    '    <button type="button" data-svar="nei">Avvis alle</button>' +
    '  </div>' +
    '</div>';
  function showDialog() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var backdrop = document.createElement('div');
    backdrop.className = 'hv-bakgrunn';
    backdrop.innerHTML = MARKUP;
    document.body.appendChild(backdrop);
    backdrop.querySelectorAll('button[data-svar]').forEach(function (button) {
      button.addEventListener('click', function () {
        backdrop.remove();
        storeChoice(button.getAttribute('data-svar') === 'ja');
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showDialog);
  else showDialog();
})();
