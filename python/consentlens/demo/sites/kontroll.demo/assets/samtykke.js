/* Fjordby bibliotek: the consent dialog, done right. Two equal buttons on the first layer, nothing set
 * or sent before an answer, the refusal remembered and respected. The answer is kept in the
 * first-party cookie "samtykke" and published as window.siteConsent ({choice, onAnswer(fn)}). */
(function () {
  'use strict';
  var listeners = [];
  function readChoice() {
    var match = document.cookie.match(/(?:^|;\s*)samtykke=([a-z.]+)(?:;|$)/);
    if (!match) return null;
    return { statistics: match[1].split('.').indexOf('statistikk') >= 0, marketing: false };
  }
  function storeChoice(yes) {
    document.cookie = 'samtykke=' + (yes ? 'nodvendige.statistikk' : 'nodvendige') +
      '; Path=/; Max-Age=15552000; SameSite=Lax; Secure';
    window.siteConsent.choice = { statistics: yes, marketing: false };
    listeners.forEach(function (fn) { fn(window.siteConsent.choice); });
  }
  window.siteConsent = { choice: readChoice(), onAnswer: function (fn) { listeners.push(fn); } };
  if (window.siteConsent.choice) return;

  var STYLE =
    '.fb-samtykke { position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483000; padding: 20px 32px;' +
    '  font: 15px/1.55 Calibri, "Segoe UI", sans-serif; color: #1e2a33; background-color: #ffffff;' +
    '  border-top: 1px solid #c9d3db; box-shadow: 0 -6px 20px rgba(0,0,0,0.10); }' +
    '.fb-samtykke h2 { margin: 0 0 6px; font-size: 18px; }' +
    '.fb-samtykke p { margin: 0 0 14px; max-width: 62rem; }' +
    '.fb-samtykke a { color: #1b4f72; }' +
    '.fb-samtykke .knapper { display: flex; gap: 14px; }' +
    '.fb-samtykke button { min-width: 150px; padding: 11px 22px; border: 0; border-radius: 4px;' +
    '  font: 700 16px Calibri, "Segoe UI", sans-serif; color: #ffffff; background-color: #1b4f72; cursor: pointer; }';
  var MARKUP =
    '<h2 id="fb-tittel">Informasjonskapsler på bibliotekets nettside</h2>' +
    '<p id="fb-tekst">Vi vil gjerne bruke Google Analytics til å telle besøk, slik at vi kan gjøre nettsiden ' +
    'bedre. Det skjer bare hvis du sier ja. Sier du nei, lagrer vi bare valget ditt. ' +
    '<a href="/apningstider.html#personvern">Les mer</a></p>' +
    '<div class="knapper">' +
    '  <button type="button" data-svar="ja">Godta alle</button>' +
    '  <button type="button" data-svar="nei">Avvis alle</button>' +
    '</div>';
  function showDialog() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var bar = document.createElement('div');
    bar.className = 'fb-samtykke';
    bar.setAttribute('role', 'dialog');
    bar.setAttribute('aria-labelledby', 'fb-tittel');
    bar.setAttribute('aria-describedby', 'fb-tekst');
    bar.innerHTML = MARKUP;
    document.body.appendChild(bar);
    bar.querySelectorAll('button[data-svar]').forEach(function (button) {
      button.addEventListener('click', function () {
        bar.remove();
        storeChoice(button.getAttribute('data-svar') === 'ja');
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showDialog);
  else showDialog();
})();
