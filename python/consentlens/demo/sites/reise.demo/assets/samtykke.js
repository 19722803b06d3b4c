/* Fjellbris Reiser: the consent dialog (a panel along the bottom, in the style of common consent
 * platforms): purpose checkboxes on the first layer, with "Statistikk" and "Markedsføring" ticked in
 * advance, and three equal buttons — "Bare nødvendige", "Tillat utvalg" (which, left as it is, allows
 * everything) and "Tillat alle". The answer is kept in the first-party cookie "samtykke" and published
 * as window.siteConsent ({choice, onAnswer(fn)}). */
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
    '.fr-samtykke { position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483000; padding: 20px 36px;' +
    '  font: 15px/1.5 "Segoe UI", Roboto, sans-serif; color: #1a2b3c; background-color: #ffffff;' +
    '  box-shadow: 0 -6px 24px rgba(0,0,0,0.18); }' +
    '.fr-samtykke h2 { margin: 0 0 6px; font-size: 18px; }' +
    '.fr-samtykke p { margin: 0 0 12px; max-width: 64rem; }' +
    '.fr-samtykke fieldset { display: flex; gap: 28px; margin: 0 0 14px; padding: 10px 0; border: 0;' +
    '  border-top: 1px solid #e1e6eb; border-bottom: 1px solid #e1e6eb; }' +
    '.fr-samtykke label { display: flex; align-items: center; gap: 8px; font-weight: 600; }' +
    '.fr-samtykke input { width: 18px; height: 18px; accent-color: #0f5d8c; }' +
    '.fr-samtykke .knapper { display: flex; gap: 12px; }' +
    '.fr-samtykke button { min-width: 170px; padding: 11px 18px; border: 2px solid #0f5d8c; border-radius: 4px;' +
    '  font: 600 15px "Segoe UI", Roboto, sans-serif; color: #ffffff; background-color: #0f5d8c; cursor: pointer; }';
  var MARKUP =
    '<h2 id="fr-tittel">Denne nettsiden bruker informasjonskapsler</h2>' +
    '<p id="fr-tekst">Vi bruker informasjonskapsler for å tilpasse innhold og annonser, tilby funksjoner for ' +
    'sosiale medier og analysere trafikken vår. Vi deler også informasjon om din bruk av nettstedet med våre ' +
    'partnere innen sosiale medier, annonsering og analyse.</p>' +
    '<fieldset>' +
    '  <legend hidden>Formål</legend>' +
    '  <label><input type="checkbox" checked disabled> Nødvendige</label>' +
    '  <label><input type="checkbox" name="statistics" checked> Statistikk</label>' +
    '  <label><input type="checkbox" name="marketing" checked> Markedsføring</label>' +
    '</fieldset>' +
    '<div class="knapper">' +
    '  <button type="button" data-handling="nodvendige">Bare nødvendige</button>' +
    '  <button type="button" data-handling="utvalg">Tillat utvalg</button>' +
    '  <button type="button" data-handling="alle">Tillat alle</button>' +
    '</div>';
  function showDialog() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var panel = document.createElement('div');
    panel.className = 'fr-samtykke';
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-labelledby', 'fr-tittel');
    panel.setAttribute('aria-describedby', 'fr-tekst');
    panel.innerHTML = MARKUP;
    document.body.appendChild(panel);
    function answer(choice) {
      panel.remove();
      storeChoice(choice);
    }
    var actions = {
      nodvendige: function () { answer({ statistics: false, marketing: false }); },
      utvalg: function () {
        answer({
          statistics: panel.querySelector('input[name="statistics"]').checked,
          marketing: panel.querySelector('input[name="marketing"]').checked
        });
      },
      alle: function () { answer({ statistics: true, marketing: true }); }
    };
    panel.querySelectorAll('button[data-handling]').forEach(function (button) {
      button.addEventListener('click', actions[button.getAttribute('data-handling')]);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showDialog);
  else showDialog();
})();
