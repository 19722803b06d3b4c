/* Kystposten: the consent dialog (a large centred modal in the style of the consent platforms news
 * sites use). The first layer has "Godta alle" and "Administrer valg"; refusing is only possible on the
 * second layer ("Avvis alle", or "Lagre valg" with everything off). The answer is kept in the
 * first-party cookie "samtykke" and published as window.siteConsent ({choice, onAnswer(fn)}). */
(function () {
  'use strict';
  var listeners = [];
  function readChoice() {
    var match = document.cookie.match(/(?:^|;\s*)samtykke=([a-z.]+)(?:;|$)/);
    if (!match) return null;
    var granted = match[1].split('.');
    return { statistics: granted.indexOf('statistikk') >= 0, marketing: granted.indexOf('markedsforing') >= 0,
      personalisation: granted.indexOf('tilpasning') >= 0 };
  }
  function storeChoice(choice) {
    var granted = ['nodvendige'];
    if (choice.statistics) granted.push('statistikk');
    if (choice.marketing) granted.push('markedsforing');
    if (choice.personalisation) granted.push('tilpasning');
    document.cookie = 'samtykke=' + granted.join('.') + '; Path=/; Max-Age=31536000; SameSite=Lax; Secure';
    window.siteConsent.choice = choice;
    listeners.forEach(function (fn) { fn(choice); });
  }
  window.siteConsent = { choice: readChoice(), onAnswer: function (fn) { listeners.push(fn); } };
  if (window.siteConsent.choice) return;

  var STYLE =
    '.kp-bakgrunn { position: fixed; inset: 0; z-index: 2147483000; display: flex; align-items: center;' +
    '  justify-content: center; background-color: rgba(0, 0, 0, 0.6); }' +
    '.kp-samtykke { width: 600px; max-width: calc(100% - 32px); box-sizing: border-box; padding: 32px;' +
    '  border-radius: 6px; font: 15px/1.55 Arial, Helvetica, sans-serif; color: #111111; background-color: #ffffff; }' +
    '.kp-samtykke h2 { margin: 0 0 12px; font: 700 22px Georgia, serif; }' +
    '.kp-samtykke p { margin: 0 0 14px; }' +
    '.kp-samtykke ul { margin: 0 0 18px; padding-left: 20px; }' +
    '.kp-samtykke .knapper { display: flex; gap: 12px; justify-content: flex-end; }' +
    '.kp-samtykke button { min-width: 170px; padding: 12px 20px; border-radius: 4px; font: 700 15px Arial, Helvetica, sans-serif; cursor: pointer; }' +
    '.kp-samtykke .hoved { border: 2px solid #c8102e; color: #ffffff; background-color: #c8102e; }' +
    '.kp-samtykke .sekundaer { border: 2px solid #111111; color: #111111; background-color: #ffffff; }' +
    '.kp-samtykke .formal label { display: flex; justify-content: space-between; align-items: center;' +
    '  padding: 10px 0; border-bottom: 1px solid #e3e3e3; font-weight: 700; }';
  var MARKUP =
    '<div class="kp-samtykke" role="dialog" aria-modal="true" aria-labelledby="kp-tittel">' +
    '  <section data-lag="1">' +
    '    <h2 id="kp-tittel">Vi setter pris på personvernet ditt</h2>' +
    '    <p>Kystposten og våre 47 partnere lagrer og/eller henter informasjon på enheten din, for eksempel ' +
    '    informasjonskapsler, og behandler personopplysninger som unike identifikatorer for å:</p>' +
    '    <ul><li>måle hvordan nettstedet brukes</li><li>vise deg tilpassede annonser og innhold</li>' +
    '    <li>utvikle og forbedre tjenestene våre</li></ul>' +
    '    <p>Du kan endre valgene dine når som helst under «Personvern» nederst på siden.</p>' +
    '    <div class="knapper">' +
    '      <button type="button" class="sekundaer" data-handling="administrer">Administrer valg</button>' +
    '      <button type="button" class="hoved" data-handling="alle">Godta alle</button>' +
    '    </div>' +
    '  </section>' +
    '  <section data-lag="2" hidden>' +
    '    <h2>Administrer valg</h2>' +
    '    <div class="formal">' +
    '      <label>Nødvendige <input type="checkbox" checked disabled></label>' +
    '      <label>Statistikk <input type="checkbox" role="switch" name="statistics"></label>' +
    '      <label>Markedsføring <input type="checkbox" role="switch" name="marketing"></label>' +
    '      <label>Tilpasset innhold <input type="checkbox" role="switch" name="personalisation"></label>' +
    '    </div>' +
    '    <p></p>' +
    '    <div class="knapper">' +
    '      <button type="button" class="sekundaer" data-handling="avvis">Avvis alle</button>' +
    '      <button type="button" class="hoved" data-handling="lagre">Lagre valg</button>' +
    '    </div>' +
    '  </section>' +
    '</div>';
  function showDialog() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var backdrop = document.createElement('div');
    backdrop.className = 'kp-bakgrunn';
    backdrop.innerHTML = MARKUP;
    document.body.appendChild(backdrop);
    function answer(choice) {
      backdrop.remove();
      storeChoice(choice);
    }
    function box(name) { return backdrop.querySelector('input[name="' + name + '"]').checked; }
    var actions = {
      alle: function () { answer({ statistics: true, marketing: true, personalisation: true }); },
      administrer: function () {
        backdrop.querySelector('[data-lag="1"]').hidden = true;
        backdrop.querySelector('[data-lag="2"]').hidden = false;
      },
      avvis: function () { answer({ statistics: false, marketing: false, personalisation: false }); },
      lagre: function () { answer({ statistics: box('statistics'), marketing: box('marketing'), personalisation: box('personalisation') }); }
    };
    backdrop.querySelectorAll('button[data-handling]').forEach(function (button) {
      button.addEventListener('click', actions[button.getAttribute('data-handling')]);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showDialog);
  else showDialog();
})();
