/* Bibelfellesskapet Kilden: the consent dialog (a bar along the bottom of the window). "Godta" is a
 * large button; the refusal is a small text link, "Nei takk". The answer is kept in the first-party
 * cookie "samtykke" and published as window.siteConsent ({choice, onAnswer(fn)}). */
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
    '.kilde-samtykke { position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483000; display: flex;' +
    '  align-items: center; gap: 24px; padding: 18px 32px; font: 15px/1.5 Georgia, "Times New Roman", serif;' +
    '  color: #2b2118; background-color: #fbf6ee; border-top: 3px solid #7b2d26; }' +
    '.kilde-samtykke p { flex: 1; margin: 0; }' +
    '.kilde-samtykke .valg { display: flex; align-items: center; gap: 20px; }' +
    '.kilde-samtykke button { padding: 14px 40px; border: 0; border-radius: 4px;' +
    '  font: 700 17px Georgia, "Times New Roman", serif; color: #ffffff; background-color: #7b2d26; cursor: pointer; }' +
    '.kilde-samtykke a.nei { font: 13px Georgia, "Times New Roman", serif; color: #6b6b6b; text-decoration: underline; }';
  var MARKUP =
    '<p id="kilde-samtykke-tekst">Vi bruker informasjonskapsler for å forstå hvordan nettsiden brukes og for ' +
    'å nå flere med Bibelen gjennom annonser i sosiale medier. Er det greit for deg?</p>' +
    '<div class="valg">' +
    '  <a href="#" class="nei" data-svar="nei">Nei takk</a>' +
    '  <button type="button" data-svar="ja">Godta</button>' +
    '</div>';
  function showDialog() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var bar = document.createElement('div');
    bar.className = 'kilde-samtykke';
    bar.setAttribute('role', 'dialog');
    bar.setAttribute('aria-label', 'Informasjonskapsler');
    bar.setAttribute('aria-describedby', 'kilde-samtykke-tekst');
    bar.innerHTML = MARKUP;
    document.body.appendChild(bar);
    bar.querySelectorAll('[data-svar]').forEach(function (control) {
      control.addEventListener('click', function (event) {
        event.preventDefault();
        bar.remove();
        storeChoice(control.getAttribute('data-svar') === 'ja');
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showDialog);
  else showDialog();
})();
