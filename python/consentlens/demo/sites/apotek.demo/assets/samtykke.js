/* Lerkeapoteket: the consent dialog (a card in the bottom right corner, in the style of common consent
 * platforms). It asks, remembers the answer in the first-party cookie "samtykke" (the granted purposes,
 * e.g. "nodvendige.statistikk.markedsforing") and tells the site's tags through window.siteConsent:
 *   siteConsent.choice   null until answered, then {statistics: bool, marketing: bool}
 *   siteConsent.onAnswer(fn)   fn(choice) is called when the visitor answers */
(function () {
  'use strict';
  var listeners = [];

  function readChoice() {
    var match = document.cookie.match(/(?:^|;\s*)samtykke=([a-z.]+)(?:;|$)/);
    if (!match) return null;
    var granted = match[1].split('.');
    return { statistics: granted.indexOf('statistikk') >= 0, marketing: granted.indexOf('markedsforing') >= 0 };
  }
  function storeChoice(choice) {
    var granted = ['nodvendige'];
    if (choice.statistics) granted.push('statistikk');
    if (choice.marketing) granted.push('markedsforing');
    document.cookie = 'samtykke=' + granted.join('.') + '; Path=/; Max-Age=31536000; SameSite=Lax; Secure';
    window.siteConsent.choice = choice;
    listeners.forEach(function (fn) { fn(choice); });
  }
  window.siteConsent = { choice: readChoice(), onAnswer: function (fn) { listeners.push(fn); } };
  if (window.siteConsent.choice) return;

  var STYLE =
    '.lerke-samtykke { position: fixed; right: 24px; bottom: 24px; z-index: 2147483000; width: 380px;' +
    '  box-sizing: border-box; padding: 24px; border-radius: 12px; font: 14px/1.5 "Segoe UI", system-ui, sans-serif;' +
    '  color: #1d2a24; background-color: #ffffff; box-shadow: 0 12px 40px rgba(16, 42, 30, 0.28); }' +
    '.lerke-samtykke h2 { margin: 0 0 8px; font-size: 17px; }' +
    '.lerke-samtykke p { margin: 0 0 16px; }' +
    '.lerke-samtykke a { color: #0b6e4f; }' +
    '.lerke-samtykke .knapper { display: flex; gap: 12px; }' +
    '.lerke-samtykke button { flex: 1; padding: 11px 12px; border: 2px solid #0b6e4f; border-radius: 6px;' +
    '  font: 600 15px "Segoe UI", system-ui, sans-serif; color: #ffffff; background-color: #0b6e4f; cursor: pointer; }';
  var MARKUP =
    '<h2 id="lerke-samtykke-tittel">Informasjonskapsler hos Lerkeapoteket</h2>' +
    '<p id="lerke-samtykke-tekst">Vi bruker informasjonskapsler for at nettbutikken skal fungere, for ' +
    'statistikk og for å vise deg relevante tilbud hos våre samarbeidspartnere. ' +
    '<a href="/#personvern">Les mer om personvern</a>.</p>' +
    '<div class="knapper">' +
    '  <button type="button" data-svar="ja">Godta alle</button>' +
    '  <button type="button" data-svar="nei">Avvis alle</button>' +
    '</div>';

  function showDialog() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var card = document.createElement('div');
    card.className = 'lerke-samtykke';
    card.setAttribute('role', 'dialog');
    card.setAttribute('aria-labelledby', 'lerke-samtykke-tittel');
    card.setAttribute('aria-describedby', 'lerke-samtykke-tekst');
    card.innerHTML = MARKUP;
    document.body.appendChild(card);
    card.querySelectorAll('button[data-svar]').forEach(function (button) {
      button.addEventListener('click', function () {
        var yes = button.getAttribute('data-svar') === 'ja';
        card.remove();
        storeChoice({ statistics: yes, marketing: yes });
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showDialog);
  else showDialog();
})();
