/* Lindeklinikken: the consent dialog (a centred modal with a settings layer). "Godta alle",
 * "Kun nødvendige" and "Tilpass" are equal buttons; "Tilpass" shows switches for statistics and
 * marketing (off) with "Lagre valg". The answer is kept in the first-party cookie "samtykke" and
 * published as window.siteConsent ({choice, onAnswer(fn)}). */
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
    '.linde-bakgrunn { position: fixed; inset: 0; z-index: 2147483000; display: flex; align-items: center;' +
    '  justify-content: center; background-color: rgba(20, 40, 38, 0.5); }' +
    '.linde-samtykke { width: 520px; max-width: calc(100% - 32px); box-sizing: border-box; padding: 28px 32px;' +
    '  border-radius: 14px; font: 15px/1.55 "Helvetica Neue", Arial, sans-serif; color: #14302c; background-color: #ffffff; }' +
    '.linde-samtykke h2 { margin: 0 0 10px; font-size: 20px; }' +
    '.linde-samtykke p { margin: 0 0 18px; }' +
    '.linde-samtykke .knapper { display: flex; gap: 10px; }' +
    '.linde-samtykke button { flex: 1; padding: 12px 8px; border: 2px solid #1f6f66; border-radius: 24px;' +
    '  font: 600 15px "Helvetica Neue", Arial, sans-serif; color: #ffffff; background-color: #1f6f66; cursor: pointer; }' +
    '.linde-samtykke .formal { margin: 0 0 18px; }' +
    '.linde-samtykke .formal label { display: flex; justify-content: space-between; padding: 8px 0; border-bottom: 1px solid #dfe9e7; }';
  var MARKUP =
    '<div class="linde-samtykke" role="dialog" aria-modal="true" aria-labelledby="linde-tittel" aria-describedby="linde-tekst">' +
    '  <section data-lag="1">' +
    '    <h2 id="linde-tittel">Informasjonskapsler</h2>' +
    '    <p id="linde-tekst">Lindeklinikken bruker nødvendige informasjonskapsler for at timebestillingen skal ' +
    '    fungere. Med ditt samtykke bruker vi også informasjonskapsler til statistikk og markedsføring.</p>' +
    '    <div class="knapper">' +
    '      <button type="button" data-handling="alle">Godta alle</button>' +
    '      <button type="button" data-handling="nodvendige">Kun nødvendige</button>' +
    '      <button type="button" data-handling="tilpass">Tilpass</button>' +
    '    </div>' +
    '  </section>' +
    '  <section data-lag="2" hidden>' +
    '    <h2>Tilpass informasjonskapsler</h2>' +
    '    <div class="formal">' +
    '      <label>Nødvendige <input type="checkbox" checked disabled></label>' +
    '      <label>Statistikk <input type="checkbox" role="switch" name="statistics"></label>' +
    '      <label>Markedsføring <input type="checkbox" role="switch" name="marketing"></label>' +
    '    </div>' +
    '    <div class="knapper">' +
    '      <button type="button" data-handling="lagre">Lagre valg</button>' +
    '      <button type="button" data-handling="nodvendige">Kun nødvendige</button>' +
    '    </div>' +
    '  </section>' +
    '</div>';
  function showDialog() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var backdrop = document.createElement('div');
    backdrop.className = 'linde-bakgrunn';
    backdrop.innerHTML = MARKUP;
    document.body.appendChild(backdrop);
    function answer(choice) {
      backdrop.remove();
      storeChoice(choice);
    }
    var actions = {
      alle: function () { answer({ statistics: true, marketing: true }); },
      nodvendige: function () { answer({ statistics: false, marketing: false }); },
      tilpass: function () {
        backdrop.querySelector('[data-lag="1"]').hidden = true;
        backdrop.querySelector('[data-lag="2"]').hidden = false;
      },
      lagre: function () {
        answer({
          statistics: backdrop.querySelector('input[name="statistics"]').checked,
          marketing: backdrop.querySelector('input[name="marketing"]').checked
        });
      }
    };
    backdrop.querySelectorAll('button[data-handling]').forEach(function (button) {
      button.addEventListener('click', actions[button.getAttribute('data-handling')]);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showDialog);
  else showDialog();
})();
