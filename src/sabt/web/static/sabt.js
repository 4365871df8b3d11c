// Sabt's pages work without this file; it adds a Jalali calendar to date fields, looks people up by
// national code as the registrar types, narrows the county list to the chosen province, and folds the
// sections' menu behind one button on a phone.
"use strict";

// --- Jalali calendar (the arithmetic of jalaali-js, after Borkowski's algorithm) ------------------------
const div = (a, b) => ~~(a / b);
const BREAKS = [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324,
  2394, 2456, 3178];

function jalCal(jy) {
  const gy = jy + 621;
  let leapJ = -14, jp = BREAKS[0], jump = 0;
  for (let i = 1; i < BREAKS.length; i++) {
    const jm = BREAKS[i];
    jump = jm - jp;
    if (jy < jm) break;
    leapJ += div(jump, 33) * 8 + div(jump % 33, 4);
    jp = jm;
  }
  let n = jy - jp;
  leapJ += div(n, 33) * 8 + div((n % 33) + 3, 4);
  if (jump % 33 === 4 && jump - n === 4) leapJ += 1;
  const leapG = div(gy, 4) - div((div(gy, 100) + 1) * 3, 4) - 150;
  const march = 20 + leapJ - leapG;
  if (jump - n < 6) n = n - jump + div(jump + 4, 33) * 33;
  let leap = (((n + 1) % 33) - 1) % 4;
  if (leap === -1) leap = 4;
  return { leap, gy, march };
}

function g2d(gy, gm, gd) {
  const d = div((gy + div(gm - 8, 6) + 100100) * 1461, 4) + div(153 * ((gm + 9) % 12) + 2, 5) + gd - 34840408;
  return d - div(div(gy + 100100 + div(gm - 8, 6), 100) * 3, 4) + 752;
}

function d2g(jdn) {
  let j = 4 * jdn + 139361631;
  j = j + div(div(4 * jdn + 183187720, 146097) * 3, 4) * 4 - 3908;
  const i = div(j % 1461, 4) * 5 + 308;
  const gm = (div(i, 153) % 12) + 1;
  return { gy: div(j, 1461) - 100100 + div(8 - gm, 6), gm, gd: div(i % 153, 5) + 1 };
}

function j2d(jy, jm, jd) {
  const r = jalCal(jy);
  return g2d(r.gy, 3, r.march) + (jm - 1) * 31 - div(jm, 7) * (jm - 7) + jd - 1;
}

function d2j(jdn) {
  const gy = d2g(jdn).gy;
  let jy = gy - 621;
  const r = jalCal(jy);
  let k = jdn - g2d(gy, 3, r.march);
  if (k >= 0) {
    if (k <= 185) return { jy, jm: 1 + div(k, 31), jd: (k % 31) + 1 };
    k -= 186;
  } else {
    jy -= 1;
    k += 179;
    if (r.leap === 1) k += 1;
  }
  return { jy, jm: 7 + div(k, 30), jd: (k % 30) + 1 };
}

const monthLength = (jy, jm) => (jm <= 6 ? 31 : jm <= 11 ? 30 : jalCal(jy).leap === 0 ? 30 : 29);
const MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن",
  "اسفند"];
const WEEKDAYS = ["ش", "ی", "د", "س", "چ", "پ", "ج"];
const fa = (text) => String(text).replace(/\d/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);
const ascii = (text) => text.replace(/[۰-۹]/g, (d) => "۰۱۲۳۴۵۶۷۸۹".indexOf(d)).replace(/[٠-٩]/g,
  (d) => "٠١٢٣٤٥٦٧٨٩".indexOf(d));
const pad = (n) => String(n).padStart(2, "0");

function today() {
  const now = new Date();
  return d2j(g2d(now.getFullYear(), now.getMonth() + 1, now.getDate()));
}

function parsed(value) {
  const match = ascii(value || "").match(/^(\d{4})\/(\d{1,2})\/(\d{1,2})$/);
  return match && Number(match[1]) < 1700 ? { jy: +match[1], jm: +match[2], jd: +match[3] } : null;
}

function attachCalendar(input) {
  const open = document.createElement("button");
  open.type = "button";
  open.className = "secondary open";
  open.textContent = "تقویم";
  open.setAttribute("aria-label", "انتخاب تاریخ از تقویم شمسی برای " + (input.labels[0]?.textContent || ""));
  open.setAttribute("aria-expanded", "false");
  input.insertAdjacentElement("afterend", open);
  let panel = null;
  const close = () => { panel?.remove(); panel = null; open.setAttribute("aria-expanded", "false"); };
  const show = (jy, jm) => {
    close();
    panel = document.createElement("div");
    panel.className = "calendar";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "تقویم");
    const chosen = parsed(input.value);
    const now = today();
    const first = (j2d(jy, jm, 1) + 2) % 7;  // Saturday is the first day of the Iranian week
    let cells = "<tr>" + "<td></td>".repeat(first);
    for (let day = 1; day <= monthLength(jy, jm); day++) {
      const pressed = chosen && chosen.jy === jy && chosen.jm === jm && chosen.jd === day;
      const isToday = now.jy === jy && now.jm === jm && now.jd === day;
      cells += `<td><button type="button" data-day="${day}" aria-pressed="${!!pressed}"` +
        (isToday ? ` aria-current="date" class="today"` : "") +
        ` aria-label="${fa(day)} ${MONTHS[jm - 1]} ${fa(jy)}${isToday ? "، امروز" : ""}">${fa(day)}</button></td>`;
      if ((first + day) % 7 === 0) cells += "</tr><tr>";
    }
    panel.innerHTML = `<div class="head"><button type="button" data-step="-12" aria-label="سال قبل">»</button>` +
      `<button type="button" data-step="-1" aria-label="ماه قبل">›</button>` +
      `<strong aria-live="polite">${MONTHS[jm - 1]} ${fa(jy)}</strong>` +
      `<button type="button" data-step="1" aria-label="ماه بعد">‹</button>` +
      `<button type="button" data-step="12" aria-label="سال بعد">«</button></div>` +
      `<table><thead><tr>${WEEKDAYS.map((w) => `<th scope="col">${w}</th>`).join("")}</tr></thead>` +
      `<tbody>${cells}</tr></tbody></table>`;
    panel.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      if (button.dataset.step) {
        const step = button.dataset.step;
        const months = jy * 12 + (jm - 1) + Number(step);
        show(Math.floor(months / 12), (months % 12) + 1);
        panel.querySelector(`[data-step="${step}"]`).focus();
      } else {
        input.value = fa(`${jy}/${pad(jm)}/${pad(Number(button.dataset.day))}`);
        input.dispatchEvent(new Event("change", { bubbles: true }));
        close();
        input.focus();
      }
    });
    panel.addEventListener("keydown", (event) => { if (event.key === "Escape") { close(); open.focus(); } });
    open.insertAdjacentElement("afterend", panel);
    open.setAttribute("aria-expanded", "true");
    (panel.querySelector("[aria-pressed=true]") || panel.querySelector("[data-day]")).focus();
  };
  open.addEventListener("click", () => {
    if (panel) return close();
    const start = parsed(input.value) || today();
    show(start.jy, start.jm);
  });
}

// --- look a person up by national code ----------------------------------------------------------------
function attachLookup(input) {
  const output = document.createElement("output");
  output.className = "lookup";
  output.setAttribute("aria-live", "polite");
  input.insertAdjacentElement("afterend", output);
  input.addEventListener("change", async () => {
    output.textContent = "";
    output.classList.remove("bad");
    if (ascii(input.value.trim()).length !== 10) return;
    const response = await fetch("/office/lookup", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": document.body.dataset.csrf },
      body: JSON.stringify({ national_code: input.value.trim() }),
    });
    const answer = await response.json();
    output.textContent = answer.summary || answer.message_fa || "";
    output.classList.toggle("bad", !response.ok);
  });
}

// --- counties of the chosen province ------------------------------------------------------------------
function attachProvince(select) {
  const county = document.getElementById(select.dataset.counties);
  const narrow = () => {
    for (const group of county.querySelectorAll("optgroup")) {
      group.hidden = select.value !== "" && group.dataset.province !== select.value;
    }
    const current = county.selectedOptions[0];
    if (current && current.parentElement.hidden) county.value = "";
  };
  select.addEventListener("change", narrow);
  narrow();
}

// --- passkeys (WebAuthn): create one, sign in with one, or step up with one --------------------------
const fromB64 = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const toB64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-")
  .replace(/\//g, "_").replace(/=+$/, "");

function credentialJSON(credential) {
  const response = {};
  for (const name of ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"]) {
    if (credential.response[name]) response[name] = toB64(credential.response[name]);
  }
  if (credential.response.getTransports) response.transports = credential.response.getTransports();
  return { id: credential.id, rawId: toB64(credential.rawId), type: credential.type, response,
    clientExtensionResults: credential.getClientExtensionResults(), authenticatorAttachment: credential.authenticatorAttachment };
}

async function postJSON(path, csrf, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body || {}),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.message_fa || "کلید عبور پذیرفته نشد.");
  return answer;
}

async function createPasskey(csrf) {
  const options = await postJSON("/login/passkeys/options", csrf);
  options.challenge = fromB64(options.challenge);
  options.user.id = fromB64(options.user.id);
  for (const item of options.excludeCredentials || []) item.id = fromB64(item.id);
  const credential = await navigator.credentials.create({ publicKey: options });
  return postJSON("/login/passkeys", csrf, credentialJSON(credential));
}

async function usePasskey(csrf) {
  const options = await postJSON("/login/passkey/challenge", csrf);
  options.challenge = fromB64(options.challenge);
  for (const item of options.allowCredentials || []) item.id = fromB64(item.id);
  const credential = await navigator.credentials.get({ publicKey: options });
  return postJSON("/login/passkey", csrf, credentialJSON(credential));
}

function attachPasskey(button) {
  const error = document.querySelector("[data-passkey-error]");
  button.addEventListener("click", async () => {
    error.hidden = true;
    try {
      if (button.dataset.passkey === "register") {
        const answer = await createPasskey(button.dataset.csrf);
        const shown = document.querySelector("[data-passkey-codes]");
        shown.querySelector("ol").replaceChildren(...answer.recovery_codes.map((code) => {
          const item = document.createElement("li");
          item.textContent = code;
          return item;
        }));
        shown.querySelector("a").href = answer.next;
        shown.hidden = false;
        button.hidden = true;
      } else {
        const answer = await usePasskey(button.dataset.csrf);
        if (button.dataset.passkey === "step-up") {
          const form = document.getElementById("step-up-form");
          form.querySelector("[name=_step_up_code]").remove();
          form.submit();
        } else {
          window.location.assign(button.dataset.next || answer.next);
        }
      }
    } catch (failure) {
      error.textContent = failure.name === "NotAllowedError" ? "کلید عبور به کار نرفت؛ دوباره تلاش کنید." : failure.message;
      error.hidden = false;
    }
  });
}

// --- the sections' menu: folded behind one button on a phone -----------------------------------------
function attachMenu(button) {
  const nav = document.getElementById(button.getAttribute("aria-controls"));
  button.closest("header").classList.add("folding");
  button.hidden = false;
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
}

// A page that answers a form (a confirmation screen, a record found by its code) names the address Back
// should return to; without it, Back from the next page reaches a form answer the browser may not send
// again, and shows an error instead of a page.
if (document.body.dataset.back) history.replaceState(null, "", document.body.dataset.back);
document.querySelectorAll("header button.menu").forEach(attachMenu);
document.querySelectorAll("button[data-passkey]").forEach(attachPasskey);
document.querySelectorAll("input[data-jalali]").forEach(attachCalendar);
document.querySelectorAll("input[data-lookup]").forEach(attachLookup);
document.querySelectorAll("select[data-counties]").forEach(attachProvince);
window.sabtJalali = { fromGregorian: (y, m, d) => d2j(g2d(y, m, d)), toGregorian: (y, m, d) => d2g(j2d(y, m, d)) };
