/* Strikkestua: the consent dialog (a bar along the bottom). "Godta alle" is a large, bright button;
 * "Avvis" is there on the first layer too, but small and pale grey on white. The answer is kept in the
 * first-party cookie "samtykke" and published as window.siteConsent ({choice, onAnswer(fn)}). */
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
    '.ss-samtykke { position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483000; display: flex;' +
    '  align-items: center; gap: 28px; padding: 20px 36px; font: 15px/1.5 "Avenir Next", Avenir, "Segoe UI", sans-serif;' +
    '  color: #3a2330; background-color: #ffffff; box-shadow: 0 -8px 24px rgba(80, 20, 50, 0.15); }' +
    '.ss-samtykke .tekst { flex: 1; }' +
    '.ss-samtykke h2 { margin: 0 0 4px; font-size: 17px; }' +
    '.ss-samtykke p { margin: 0; }' +
    '.ss-samtykke .valg { display: flex; align-items: center; gap: 18px; }' +
    '.ss-samtykke .godta { padding: 16px 44px; border: 0; border-radius: 30px;' +
    '  font: 700 18px "Avenir Next", Avenir, "Segoe UI", sans-serif; color: #ffffff; background-color: #b0205a; cursor: pointer; }' +
    '.ss-samtykke .avvis { padding: 4px 6px; border: 0; font: 400 12px "Avenir Next", Avenir, "Segoe UI", sans-serif;' +
    '  color: #b3b3b3; background-color: #ffffff; cursor: pointer; }';
  var MARKUP =
    '<div class="tekst">' +
    '  <h2 id="ss-tittel">Vi elsker kaker – og informasjonskapsler</h2>' +
    '  <p id="ss-tekst">Vi og våre partnere bruker informasjonskapsler for å gi deg inspirasjon, tilpassede ' +
    '  tilbud og en bedre handleopplevelse.</p>' +
    '</div>' +
    '<div class="valg">' +
    '  <button type="button" class="avvis" data-svar="nei">Avvis</button>' +
    '  <button type="button" class="godta" data-svar="ja">Godta alle</button>' +
    '</div>';
  function showDialog() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var bar = document.createElement('div');
    bar.className = 'ss-samtykke';
    bar.setAttribute('role', 'dialog');
    bar.setAttribute('aria-labelledby', 'ss-tittel');
    bar.setAttribute('aria-describedby', 'ss-tekst');
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
