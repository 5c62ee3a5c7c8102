/* The field app (issue 19): score evaluations on a phone, online or not.
 *
 * Online, the officer downloads the work of chosen villages (subjects, open evaluations, criteria sets) into
 * IndexedDB. Offline, everything is read from there: search, start, score with the live total (the same
 * rules as the server: scoring.js, checked on shared cases), notes, photos resized on the phone. Every save
 * goes to an outbox kept on the phone; "Send" delivers it in order to /field/api/sync/. Each entry carries
 * the version its copy was based on: the server answers "conflict" rather than overwrite, and the officer
 * chooses on a side-by-side screen. An entry is marked "attempted" before it is sent and removed only once
 * its answer is stored, so a closed phone or a lost connection resends it with the same id (the server
 * answers a known id without applying it twice).
 */
(function () {
  "use strict";

  const T = JSON.parse(document.getElementById("field-text").textContent);
  const CONFIG = JSON.parse(document.getElementById("field-config").textContent);
  const S = window.FieldScoring;
  const app = document.getElementById("app");
  const BATCH = 50;
  const PHOTO_MAX_SIDE = 1600;
  const PHOTO_QUALITY = 0.8;
  const LIST_LIMIT = 150;

  // ---- small helpers ------------------------------------------------------------------------------------

  function fmt(text, params) {
    return text.replace(/%\((\w+)\)s/g, (_, key) => (params && key in params ? String(params[key]) : ""));
  }

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* The server's fold (evaluations/text.py fold_words): no accents, đ -> d, lower case, words by spaces. */
  function fold(text) {
    return (text || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  }

  function when(iso) {
    const d = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(d.getHours())}:${pad(d.getMinutes())} ${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
  }

  let flashTimer = null;
  function flash(message, tone) {
    const box = document.querySelector("[data-flash]");
    box.textContent = message;
    box.dataset.tone = tone || "ok";
    box.hidden = false;
    clearTimeout(flashTimer);
    if (tone !== "error") flashTimer = setTimeout(() => (box.hidden = true), 6000);
  }

  function showNet() {
    const net = document.querySelector("[data-net]");
    const online = navigator.onLine;
    net.textContent = online ? T.online : T.offline;
    net.dataset.state = online ? "online" : "offline";
  }

  // ---- IndexedDB ----------------------------------------------------------------------------------------

  const DB_NAME = "khuyenhoc-field";
  let dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const d = request.result;
          d.createObjectStore("meta");
          d.createObjectStore("subjects", { keyPath: "id" }).createIndex("village", "village");
          d.createObjectStore("criteria_sets", { keyPath: "id" });
          d.createObjectStore("evaluations", { keyPath: "key" }).createIndex("subject", "subject");
          d.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
          d.createObjectStore("photos", { keyPath: "id" }).createIndex("evaluation", "evalKey");
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }

  function done(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  /* Run ``body(stores)`` in one transaction; resolves with its result once the transaction has committed. */
  async function tx(names, mode, body) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction(names, mode);
      const stores = {};
      for (const name of [].concat(names)) stores[name] = t.objectStore(name);
      let result;
      Promise.resolve(body(stores))
        .then((value) => (result = value))
        .catch((error) => {
          try { t.abort(); } catch (_) { /* already finished */ }
          reject(error);
        });
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  const get = (store, key) => tx(store, "readonly", (s) => done(s[store].get(key)));
  const all = (store) => tx(store, "readonly", (s) => done(s[store].getAll()));
  const put = (store, value, key) =>
    tx(store, "readwrite", (s) => done(key === undefined ? s[store].put(value) : s[store].put(value, key)));
  const byIndex = (store, index, value) =>
    tx(store, "readonly", (s) => done(s[store].index(index).getAll(value)));

  // ---- the server ---------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, kind) {
      super(message);
      this.kind = kind; // "offline", "auth" or "refused"
    }
  }

  async function api(url, options) {
    let response;
    try {
      response = await fetch(url, Object.assign({ credentials: "same-origin", cache: "no-store" }, options || {}));
    } catch (error) {
      console.warn("field: no answer from", url, error);
      throw new ApiError(T.send_stopped, "offline");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      // A login page or a proxy's error: not our JSON.
    }
    if (response.status === 401 || response.status === 403) throw new ApiError(T.sign_in_again, "auth");
    if (!response.ok || data === null) {
      const message = data && data.error ? data.error.message : `HTTP ${response.status}`;
      throw new ApiError(message, response.status >= 500 || data === null ? "offline" : "refused");
    }
    return data;
  }

  async function session() {
    const data = await api(CONFIG.urls.session);
    await put("meta", data, "session");
    return data;
  }

  function postJson(url, body, token) {
    return api(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body),
    });
  }

  // ---- the work on this phone ---------------------------------------------------------------------------

  async function downloadWork(villageIds) {
    const query = villageIds.map((id) => "village=" + encodeURIComponent(id)).join("&");
    const work = await api(CONFIG.urls.work + "?" + query);
    await tx(["meta", "subjects", "criteria_sets", "evaluations"], "readwrite", async (s) => {
      await done(s.subjects.clear());
      for (const subject of work.subjects) s.subjects.put(subject);
      for (const set of work.criteria_sets) s.criteria_sets.put(set);
      const kept = await done(s.evaluations.getAll());
      const mineById = new Map(kept.filter((e) => e.id).map((e) => [e.id, e]));
      for (const evaluation of work.evaluations) {
        const mine = mineById.get(evaluation.id);
        if (mine) {
          // The server's state is refreshed; unsent work stays, and the sync compares its version with it.
          mine.server = evaluation;
          s.evaluations.put(mine);
        } else {
          s.evaluations.put({
            key: "e" + evaluation.id, id: evaluation.id, client_ref: null, subject: evaluation.subject,
            year: evaluation.year, criteria_set: evaluation.criteria_set, server: evaluation, local: null,
            state: "synced", errors: {},
          });
        }
      }
      // A sent evaluation no longer open on the server (submitted, say) is no longer the phone's work.
      const open = new Set(work.evaluations.map((e) => e.id));
      for (const e of kept) {
        if (e.state === "synced" && e.id && !open.has(e.id)) s.evaluations.delete(e.key);
      }
      s.meta.put(
        { year: work.year, villages: work.villages, downloaded_at: new Date().toISOString(), subjects: work.subjects.length },
        "work",
      );
    });
    return work;
  }

  async function evaluationOf(subjectId, year) {
    const rows = await byIndex("evaluations", "subject", subjectId);
    return rows.find((e) => e.year === year) || null;
  }

  function currentValues(evaluation) {
    if (evaluation.local) return evaluation.local;
    const server = evaluation.server || { scores: {}, notes: {} };
    return { values: Object.assign({}, server.scores), notes: Object.assign({}, server.notes) };
  }

  // ---- the outbox -------------------------------------------------------------------------------------

  /* Store the officer's copy of an evaluation and queue it, in one transaction: ``change(record)`` sets its
   * local values on the stored record (never on a copy held by a screen, which a sync may have made stale).
   * An unsent entry of the same evaluation takes the new values; one already attempted is left as it was
   * sent, and the new entry waits for its answer to learn the version it is based on. */
  async function saveAndQueue(key, change) {
    return tx(["outbox", "evaluations"], "readwrite", async (s) => {
      const evaluation = await done(s.evaluations.get(key));
      change(evaluation);
      s.evaluations.put(evaluation);
      const entries = await done(s.outbox.getAll());
      const mine = entries.filter((e) => e.evalKey === key);
      if (!evaluation.id && !mine.some((e) => e.kind === "create_evaluation")) {
        s.outbox.put({
          id: uuid(), kind: "create_evaluation", evalKey: key, subject: evaluation.subject,
          year: evaluation.year, criteria_set: evaluation.criteria_set, client_ref: evaluation.client_ref,
          attempted: false,
        });
      }
      const last = mine.filter((e) => e.kind === "record_scores").pop();
      const payload = { values: evaluation.local.values, notes: evaluation.local.notes };
      if (last && !last.attempted) {
        s.outbox.put(Object.assign(last, payload));
      } else {
        s.outbox.put(Object.assign({
          id: uuid(), kind: "record_scores", evalKey: key,
          based_on_version: last ? null : evaluation.server ? evaluation.server.version : 0,
          after: last ? last.id : null, attempted: false,
        }, payload));
      }
      return evaluation;
    });
  }

  function wire(entry, evaluation) {
    if (entry.kind === "create_evaluation") {
      return {
        id: entry.id, kind: entry.kind, subject: entry.subject, year: entry.year,
        criteria_set: entry.criteria_set, client_ref: entry.client_ref,
      };
    }
    const values = {};
    for (const [key, value] of Object.entries(entry.values)) values[key] = value === "" ? null : value;
    return {
      id: entry.id, kind: entry.kind,
      evaluation: evaluation && evaluation.id ? evaluation.id : evaluation ? evaluation.client_ref : null,
      based_on_version: entry.based_on_version, values, notes: entry.notes,
    };
  }

  let syncing = false;

  async function pendingCounts() {
    const [entries, photos] = await Promise.all([all("outbox"), all("photos")]);
    const saves = new Set(entries.map((e) => e.evalKey)).size;
    return { saves, entries: entries.length, photos: photos.filter((p) => p.state === "pending").length };
  }

  async function sendAll() {
    if (syncing) return;
    syncing = true;
    refreshHome();
    let stopped = null;
    try {
      const { csrf_token: token } = await session();
      for (;;) {
        const entries = (await all("outbox")).sort((a, b) => a.seq - b.seq);
        if (!entries.length) break;
        const batch = [];
        for (const entry of entries) {
          if (batch.length >= BATCH) break;
          if (entry.kind === "record_scores" && entry.based_on_version === null) break; // waits for an answer
          batch.push(entry);
        }
        if (!batch.length) break;
        const evaluations = {};
        for (const entry of batch) evaluations[entry.evalKey] = await get("evaluations", entry.evalKey);
        // Marked before sending: if no answer comes, the same ids go again and the server answers them once.
        await tx("outbox", "readwrite", (s) => batch.forEach((e) => s.outbox.put(Object.assign(e, { attempted: true }))));
        const answer = await postJson(CONFIG.urls.sync, { entries: batch.map((e) => wire(e, evaluations[e.evalKey])) }, token);
        for (let i = 0; i < batch.length; i++) await applyAnswer(batch[i], answer.results[i]);
      }
      await sendPhotos(token);
      const problems = (await all("evaluations")).filter((e) => e.state === "conflict" || e.state === "rejected");
      if (problems.length) flash(fmt(T.sent_with_problems, { count: problems.length }), "error");
      else flash(T.sent);
      retryDelay = 0;
    } catch (error) {
      stopped = error;
      if (error instanceof ApiError && error.kind === "auth") flashSignIn();
      else flash(error.message || T.send_stopped, "error");
      if (error instanceof ApiError && error.kind === "offline") retryLater();
    } finally {
      syncing = false;
      refreshHome();
    }
    return stopped;
  }

  /* A phone says "online" before its connection carries anything, and a village's signal comes and goes: a
   * send stopped by the network is tried again, later and later (up to a minute apart), while online. */
  let retryDelay = 0;
  let retryTimer = null;
  function retryLater() {
    clearTimeout(retryTimer);
    retryDelay = Math.min(60_000, retryDelay ? retryDelay * 2 : 2_000);
    retryTimer = setTimeout(() => {
      if (navigator.onLine) pendingCounts().then((c) => (c.entries || c.photos) && sendAll());
    }, retryDelay);
  }

  /* Redraw the home screen (its counts) or an evaluation's after a sync (its answer, an error or a conflict),
   * unless the officer has typed into it since it was drawn: typing is never wiped. */
  function refreshHome() {
    const route = location.hash.replace(/^#/, "") || "/";
    if (route === "/" || (route.startsWith("/subject/") && !formDirty)) render();
  }

  function flashSignIn() {
    flash(T.sign_in_again, "error");
    const box = document.querySelector("[data-flash]");
    box.append(" ", h("a", { href: CONFIG.urls.login }, T.sign_in));
  }

  async function applyAnswer(entry, result) {
    await tx(["outbox", "evaluations"], "readwrite", async (s) => {
      s.outbox.delete(entry.seq);
      const evaluation = await done(s.evaluations.get(entry.evalKey));
      if (!evaluation || !result) return;
      const later = (await done(s.outbox.getAll())).filter((e) => e.evalKey === entry.evalKey && e.seq !== entry.seq);
      const server = result.evaluation;
      if (result.status === "applied") {
        if (server) {
          evaluation.server = server;
          evaluation.id = server.id;
        }
        if (entry.kind === "record_scores") {
          for (const next of later) {
            if (next.after === entry.id) s.outbox.put(Object.assign(next, { based_on_version: server.version, after: null }));
          }
          if (!later.length) Object.assign(evaluation, { local: null, state: "synced", errors: {} });
        }
      } else if (result.status === "conflict") {
        // Nothing is overwritten: the officer compares and chooses. Later saves of it wait for that choice.
        later.forEach((e) => s.outbox.delete(e.seq));
        Object.assign(evaluation, { state: "conflict", conflict: server, errors: result.errors });
      } else {
        if (server) evaluation.server = server;
        if (entry.kind === "create_evaluation") {
          later.forEach((e) => s.outbox.delete(e.seq));
        } else {
          for (const next of later) {
            if (next.after === entry.id) {
              s.outbox.put(Object.assign(next, { based_on_version: entry.based_on_version, after: null }));
            }
          }
        }
        const remaining = entry.kind === "create_evaluation" ? [] : later;
        evaluation.errors = Object.assign({}, result.errors);
        evaluation.state = remaining.length ? "pending" : "rejected";
      }
      s.evaluations.put(evaluation);
    });
  }

  async function sendPhotos(token) {
    const photos = (await all("photos")).filter((p) => p.state === "pending");
    for (const photo of photos) {
      const evaluation = await get("evaluations", photo.evalKey);
      if (!evaluation || !evaluation.id) continue; // its evaluation is not on the server yet
      const form = new FormData();
      form.append("id", photo.id);
      form.append("evaluation", evaluation.id);
      if (photo.indicator) form.append("indicator", photo.indicator);
      form.append("file", photo.blob, photo.name);
      const result = await api(CONFIG.urls.evidence, { method: "POST", headers: { "X-CSRFToken": token }, body: form });
      await tx(["photos", "evaluations"], "readwrite", async (s) => {
        if (result.status === "applied") {
          s.photos.delete(photo.id);
          const stored = await done(s.evaluations.get(photo.evalKey));
          if (stored && stored.server && result.evidence) {
            stored.server.evidence = (stored.server.evidence || []).concat([result.evidence]);
            s.evaluations.put(stored);
          }
        } else {
          const message = Object.values(result.errors || {}).join(" ");
          s.photos.put(Object.assign(photo, { state: "rejected", error: message }));
        }
      });
    }
  }

  // ---- photos -------------------------------------------------------------------------------------------

  /* A camera photo made smaller on the phone: JPEG, at most PHOTO_MAX_SIDE pixels on its long side. */
  async function resized(file) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close && bitmap.close();
    return new Promise((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("toBlob"))), "image/jpeg", PHOTO_QUALITY),
    );
  }

  // ---- screens ------------------------------------------------------------------------------------------

  let objectUrls = [];
  let formDirty = false;
  function releaseUrls() {
    objectUrls.forEach((url) => URL.revokeObjectURL(url));
    objectUrls = [];
  }

  function screen(title, ...content) {
    releaseUrls();
    formDirty = false;
    document.title = title + " – " + T.app_title;
    app.replaceChildren(...content.flat(Infinity).filter((part) => part !== null && part !== undefined && part !== false));
    document.querySelector(".totals")?.remove();
  }

  async function render() {
    const route = location.hash.replace(/^#/, "") || "/";
    try {
      let match;
      if (route === "/") await homeScreen();
      else if (route === "/villages") await villagesScreen();
      else if (route === "/subjects") await subjectsScreen();
      else if ((match = route.match(/^\/subject\/(\d+)$/))) await evaluationScreen(Number(match[1]));
      else if ((match = route.match(/^\/conflict\/([\w-]+)$/))) await conflictScreen(match[1]);
      else location.hash = "#/";
    } catch (error) {
      console.error(error);
      screen(T.app_title, h("p", { class: "panel" }, T.storage_failed));
    }
  }

  function stateChip(evaluation, subject) {
    if (!evaluation && subject && subject.closed_status) {
      return h("span", { class: "chip", "data-state": "closed" }, CONFIG.statuses[subject.closed_status] || subject.closed_status);
    }
    if (!evaluation) return h("span", { class: "chip", "data-state": "none" }, T.not_started);
    const labels = { synced: T.state_synced, pending: T.state_pending, conflict: T.state_conflict, rejected: T.state_rejected, new: T.state_new };
    return h("span", { class: "chip", "data-state": evaluation.state }, labels[evaluation.state] || evaluation.state);
  }

  async function homeScreen() {
    const [sessionData, work, counts, evaluations] = await Promise.all([
      get("meta", "session"), get("meta", "work"), pendingCounts(), all("evaluations"),
    ]);
    const subjects = await all("subjects");
    const names = Object.fromEntries(subjects.map((s) => [s.id, s.name]));
    const attention = evaluations.filter((e) => e.state === "conflict" || e.state === "rejected");
    screen(
      T.home,
      h("section", { class: "panel" },
        h("h1", {}, T.app_title),
        sessionData ? h("p", { class: "muted" }, fmt(T.user, { name: sessionData.user.name }), " · ", fmt(T.year, { year: (work || sessionData).year })) : null,
        h("p", { class: "muted" }, T.personal_data),
      ),
      h("section", { class: "panel stack", "aria-labelledby": "work-title" },
        h("h2", { id: "work-title" }, T.work_title),
        work
          ? h("p", {}, fmt(T.work_summary, { subjects: work.subjects, villages: work.villages.length, when: when(work.downloaded_at) }),
              h("span", { class: "list__sub" }, work.villages.map(placeName).join(", ")))
          : h("p", {}, T.no_work),
        h("div", { class: "actions" },
          work ? h("a", { class: "button", href: "#/subjects" }, T.subjects) : null,
          h("a", { class: "button button--quiet", href: "#/villages" }, T.choose_villages),
        ),
      ),
      h("section", { class: "panel stack", "aria-labelledby": "outbox-title" },
        h("h2", { id: "outbox-title" }, T.outbox_title),
        h("p", { "data-outbox": "" }, counts.entries || counts.photos ? fmt(T.outbox_count, { changes: counts.saves, photos: counts.photos }) : T.outbox_empty),
        h("button", { type: "button", class: "button--wide", disabled: syncing || !(counts.entries || counts.photos), onclick: () => sendAll() }, syncing ? T.sending : T.send_now),
      ),
      attention.length
        ? h("section", { class: "panel", "aria-labelledby": "attention-title" },
            h("h2", { id: "attention-title" }, T.attention_title),
            h("ul", { class: "list" }, attention.map((e) =>
              h("li", {}, h("a", { href: e.state === "conflict" ? `#/conflict/${e.key}` : `#/subject/${e.subject}` },
                h("span", { class: "list__name" }, names[e.subject] || "#" + e.subject), stateChip(e))))))
        : null,
      h("section", { class: "panel actions" },
        h("a", { class: "button button--quiet", href: CONFIG.urls.admin }, T.admin_link),
        h("button", { type: "button", class: "button--danger", onclick: clearDevice }, T.clear_device),
      ),
    );
  }

  async function clearDevice() {
    const counts = await pendingCounts();
    if (counts.entries || counts.photos) {
      flash(fmt(T.clear_refused, { count: counts.saves + counts.photos }), "error");
      return;
    }
    if (!window.confirm(T.clear_confirm)) return;
    await tx(["meta", "subjects", "criteria_sets", "evaluations", "outbox", "photos"], "readwrite", (s) => {
      Object.values(s).forEach((store) => store.clear());
    });
    flash(T.cleared);
    render();
  }

  async function villagesScreen() {
    if (!navigator.onLine) {
      screen(T.villages_title, h("p", { class: "panel" }, T.needs_online), h("a", { class: "button button--quiet", href: "#/" }, T.back));
      return;
    }
    const [villages, work] = await Promise.all([api(CONFIG.urls.villages), get("meta", "work")]);
    const chosen = new Set((work ? work.villages : []).map((v) => v.id));
    const groups = new Map();
    for (const village of villages) {
      const commune = village.commune ? village.commune.name : "";
      if (!groups.has(commune)) groups.set(commune, []);
      groups.get(commune).push(village);
    }
    const form = h("form", { class: "panel", onsubmit: async (event) => {
      event.preventDefault();
      const ids = Array.from(form.querySelectorAll("input:checked"), (input) => input.value);
      if (!ids.length) return flash(T.villages_none_chosen, "error");
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      button.textContent = T.downloading;
      try {
        await session();
        const result = await downloadWork(ids);
        flash(fmt(T.downloaded, { subjects: result.subjects.length }));
        location.hash = "#/subjects";
      } catch (error) {
        if (error instanceof ApiError && error.kind === "auth") flashSignIn();
        else flash(error.message, "error");
        button.disabled = false;
        button.textContent = T.download;
      }
    } },
      h("h1", {}, T.villages_title),
      Array.from(groups, ([commune, rows]) => [
        commune ? h("h2", { class: "group-title" }, commune) : null,
        h("ul", { class: "checks" }, rows.map((v) =>
          h("li", {}, h("label", {}, h("input", { type: "checkbox", name: "village", value: v.id, checked: chosen.has(v.id) }), placeName(v))))),
      ]),
      h("div", { class: "actions", style: "margin-top:1rem" },
        h("button", { type: "submit" }, T.download),
        h("a", { class: "button button--quiet", href: "#/" }, T.back),
      ),
    );
    screen(T.villages_title, form);
  }

  /* A village by its name; a commune itself as the place of its own units and communities. */
  function placeName(place) {
    return place.level === "commune" ? fmt(T.commune_itself, { name: place.name }) : place.name;
  }

  let searchText = "";
  let searchVillage = "";

  async function subjectsScreen() {
    const [work, subjects, evaluations] = await Promise.all([get("meta", "work"), all("subjects"), all("evaluations")]);
    if (!work) {
      location.hash = "#/";
      return;
    }
    const villageNames = Object.fromEntries(work.villages.map((v) => [v.id, v.name]));
    const byKey = {};
    for (const e of evaluations) if (e.year === work.year) byKey[e.subject] = e;
    subjects.sort((a, b) => (a.folded < b.folded ? -1 : a.folded > b.folded ? 1 : a.id - b.id));
    const list = h("ul", { class: "list", "aria-live": "polite" });
    const more = h("p", { class: "muted" });
    function fill() {
      const words = fold(searchText).split(" ").filter(Boolean);
      const found = subjects.filter(
        (s) => (!searchVillage || String(s.village) === searchVillage) && words.every((w) => s.folded.includes(w)),
      );
      list.replaceChildren(...found.slice(0, LIST_LIMIT).map((s) =>
        h("li", {}, h("a", { href: `#/subject/${s.id}` },
          h("span", {}, h("span", { class: "list__name" }, s.name),
            h("span", { class: "list__sub" }, villageNames[s.village] || "", " · ", CONFIG.kinds[s.kind] || s.kind)),
          stateChip(byKey[s.id], s)))));
      more.textContent = !found.length ? T.no_results : found.length > LIST_LIMIT ? fmt(T.more_results, { count: found.length - LIST_LIMIT }) : "";
    }
    const search = h("input", { type: "search", id: "subject-search", value: searchText, placeholder: T.search_placeholder, autocomplete: "off",
      oninput: (event) => { searchText = event.target.value; fill(); } });
    const village = h("select", { "aria-label": T.all_villages, onchange: (event) => { searchVillage = event.target.value; fill(); } },
      h("option", { value: "" }, T.all_villages),
      work.villages.map((v) => h("option", { value: String(v.id), selected: String(v.id) === searchVillage }, placeName(v))));
    screen(T.subjects,
      h("div", { class: "panel stack" },
        h("h1", {}, T.subjects),
        h("label", { for: "subject-search" }, T.search_label), search, village),
      list, more);
    fill();
  }

  function indicatorsOf(set) {
    return set.criteria.flatMap((c) => c.indicators);
  }

  function spoken(value, indicator) {
    if (value === null || value === undefined || value === "") return "—";
    if (indicator.max_points === null) return value === true ? T.met : T.not_met;
    return S.pointsText(value);
  }

  async function evaluationScreen(subjectId) {
    const [subject, work, sessionData] = await Promise.all([get("subjects", subjectId), get("meta", "work"), get("meta", "session")]);
    if (!subject || !work) {
      location.hash = "#/subjects";
      return;
    }
    const year = work.year;
    let evaluation = await evaluationOf(subjectId, year);
    const village = work.villages.find((v) => v.id === subject.village);
    const heading = h("div", { class: "panel" },
      h("h1", {}, subject.name),
      h("p", { class: "muted" }, [village ? placeName(village) : "", CONFIG.kinds[subject.kind], fmt(T.evaluation_of, { year })].filter(Boolean).join(" · ")));
    const mayScore = !sessionData || sessionData.may_score !== false;
    if (!evaluation && subject.closed_status) {
      const status = CONFIG.statuses[subject.closed_status] || subject.closed_status;
      screen(subject.name, heading, h("p", { class: "panel" }, fmt(T.not_draft, { status })), h("a", { class: "button button--quiet", href: "#/subjects" }, T.back));
      return;
    }
    if (!evaluation) {
      const sets = (await all("criteria_sets")).filter((set) => set.kind === subject.kind);
      const mayStart = !sessionData || sessionData.may_start !== false;
      if (!sets.length || !mayStart || !mayScore) {
        screen(subject.name, heading, h("p", { class: "panel" }, !sets.length ? T.no_set : T.may_not_start), h("a", { class: "button button--quiet", href: "#/subjects" }, T.back));
        return;
      }
      const select = h("select", { id: "criteria-set" }, sets.map((set) => h("option", { value: set.id }, `${set.name} (${set.code} v${set.version})`)));
      screen(subject.name, heading,
        h("form", { class: "panel stack", onsubmit: async (event) => {
          event.preventDefault();
          const ref = "tmp-" + uuid();
          await put("evaluations", {
            key: ref, id: null, client_ref: ref, subject: subject.id, year, criteria_set: Number(select.value),
            server: null, local: { values: {}, notes: {} }, state: "new", errors: {},
          });
          render();
        } },
          h("h2", {}, T.start_title), h("label", { for: "criteria-set" }, T.start_with), select,
          h("button", { type: "submit", class: "button--wide" }, T.start)),
        h("a", { class: "button button--quiet", href: "#/subjects" }, T.back));
      return;
    }
    if (evaluation.state === "conflict") {
      location.hash = `#/conflict/${evaluation.key}`;
      return;
    }
    const set = await get("criteria_sets", evaluation.criteria_set);
    if (!set) {
      screen(subject.name, heading, h("p", { class: "panel" }, T.no_set));
      return;
    }
    scoreForm(subject, evaluation, set, heading, mayScore);
  }

  function scoreForm(subject, evaluation, set, heading, mayScore) {
    const copy = currentValues(evaluation);
    const values = Object.assign({}, copy.values);
    const notes = Object.assign({}, copy.notes);
    const selfScores = (evaluation.server && evaluation.server.self_scores) || {};
    const serverEvidence = (evaluation.server && evaluation.server.evidence) || [];
    const localErrors = {};
    const codeErrors = evaluation.errors || {};
    const indicators = indicatorsOf(set);
    const figures = h("div", { class: "totals__figures" });
    const subtotals = {};
    const cards = {};
    const server = evaluation.server;
    const notDraft = server && server.status !== "draft";

    function recompute() {
      const result = S.score(set.scoring, values);
      const isPassFail = set.scoring.scoring_mode === "pass_fail_levels";
      const total = isPassFail
        ? fmt(T.met_of, { met: result.total === null ? 0 : result.total, count: indicators.length })
        : fmt(T.points_of, { total: result.total === null ? "0" : S.pointsText(result.total), max: S.pointsText(set.max_total || "0") });
      let verdict;
      if (result.result === "incomplete") verdict = fmt(T.result_incomplete, { count: result.missing.length });
      else {
        // The grade ("Tốt", "Mức 1") beside the verdict; below every grade, the verdict alone says it.
        const graded = result.grade && result.grade !== S.NO_GRADE && set.scoring.scoring_mode !== "total_threshold";
        const grade = graded ? result.grade + " · " : "";
        verdict = grade + (result.result === "meets" ? T.result_meets : T.result_fails);
      }
      figures.replaceChildren(
        h("div", { class: "totals__total" }, T.total, ": ", total),
        h("div", { class: "totals__result", "data-result": result.result }, verdict),
      );
      (result.criteria || []).forEach((c) => {
        if (subtotals[c.number]) {
          subtotals[c.number].textContent = isPassFail
            ? fmt(T.met_of, { met: c.met_count, count: set.criteria.find((x) => x.number === c.number).indicators.length })
            : fmt(T.points_of, { total: S.pointsText(c.subtotal), max: S.pointsText(c.maximum) });
        }
      });
    }

    function showError(indicator) {
      const card = cards[indicator.id];
      const message = localErrors[indicator.id] || codeErrors[indicator.code] || "";
      card.toggleAttribute("data-error", Boolean(message));
      card.querySelector(".indicator__error").textContent = message;
      card.querySelector(".indicator__error").hidden = !message;
    }

    function pointsInput(indicator) {
      const id = `points-${indicator.id}`;
      const stored = values[indicator.id];
      const input = h("input", {
        type: "text", id, inputmode: "decimal", autocomplete: "off", class: "indicator__points",
        value: stored === null || stored === undefined ? "" : S.pointsText(stored), disabled: !mayScore || notDraft,
        "aria-describedby": `max-${indicator.id}`,
        oninput: () => {
          const parsed = S.parsePoints(input.value, indicator.max_points);
          if (parsed.ok) {
            values[indicator.id] = parsed.text;
            delete localErrors[indicator.id];
          } else {
            values[indicator.id] = null;
            localErrors[indicator.id] = parsed.message;
          }
          delete codeErrors[indicator.code];
          formDirty = true;
          showError(indicator);
          recompute();
        },
      });
      return [
        h("label", { for: id, class: "visually-hidden" }, `${indicator.code} ${indicator.text}`),
        input,
        h("span", { class: "indicator__max", id: `max-${indicator.id}` }, fmt(T.max_points, { max: S.pointsText(indicator.max_points) })),
      ];
    }

    function metToggle(indicator) {
      const group = h("div", { class: "toggle", role: "group", "aria-label": `${indicator.code} ${indicator.text}` });
      const buttons = [[true, T.met], [false, T.not_met]].map(([value, label]) =>
        h("button", { type: "button", "aria-pressed": String(values[indicator.id] === value), disabled: !mayScore || notDraft,
          onclick: () => {
            values[indicator.id] = values[indicator.id] === value ? null : value;
            buttons.forEach((b, i) => b.setAttribute("aria-pressed", String(values[indicator.id] === (i === 0))));
            delete codeErrors[indicator.code];
            formDirty = true;
            showError(indicator);
            recompute();
          } }, label));
      group.append(...buttons);
      return group;
    }

    async function photoBlock(indicator) {
      const container = h("div", { class: "photos" });
      const photos = (await byIndex("photos", "evaluation", evaluation.key)).filter((p) => p.indicator === indicator.id);
      for (const photo of photos) {
        const url = URL.createObjectURL(photo.blob);
        objectUrls.push(url);
        container.append(h("div", { class: "photo" },
          h("img", { src: url, alt: photo.name }),
          h("small", {}, photo.state === "rejected" ? photo.error : T.photo_pending),
          h("button", { type: "button", class: "button--danger", "aria-label": T.photo_remove, onclick: async () => {
            await tx("photos", "readwrite", (s) => s.photos.delete(photo.id));
            render();
          } }, "×")));
      }
      const onServer = serverEvidence.filter((e) => e.indicator === indicator.id).length;
      if (onServer) container.append(h("small", { class: "muted" }, fmt(T.evidence_on_server, { count: onServer })));
      if (mayScore && !notDraft) {
        const input = h("input", { type: "file", accept: "image/*", capture: "environment", "aria-label": `${T.photo} ${indicator.code}`,
          onchange: async () => {
            for (const file of Array.from(input.files || [])) {
              try {
                const blob = await resized(file);
                const index = (await byIndex("photos", "evaluation", evaluation.key)).length + 1;
                await put("photos", {
                  id: uuid(), evalKey: evaluation.key, indicator: indicator.id, blob, size: blob.size,
                  name: `anh-${indicator.code.replace(/[^\w]+/g, "-")}-${index}.jpg`, state: "pending",
                });
                const stored = await get("evaluations", evaluation.key);
                if (stored && stored.state === "new") {
                  // A photo is work too: the evaluation is kept (and created on the server when sent).
                  await saveAndQueue(evaluation.key, (e) => Object.assign(e, { state: "pending", local: { values: Object.assign({}, values), notes: Object.assign({}, notes) } }));
                }
              } catch (error) {
                flash(fmt(T.photo_failed, { error: error.message || error }), "error");
              }
            }
            render();
          } });
        container.append(h("span", { class: "button button--quiet photo-take" }, "📷 ", T.photo, input));
      }
      return container;
    }

    const body = [];
    if (notDraft) body.push(h("p", { class: "panel" }, fmt(T.not_draft, { status: CONFIG.statuses[server.status] || server.status })));
    if (!mayScore) body.push(h("p", { class: "panel" }, T.may_not_score));
    const general = Object.entries(codeErrors).filter(([code]) => !indicators.some((i) => i.code === code || "self." + i.code === code));
    if (general.length) {
      body.push(h("div", { class: "panel", role: "alert" }, h("p", {}, T.server_errors), h("ul", { class: "errors" }, general.map(([, m]) => h("li", {}, m)))));
    }
    const photoBlocks = [];
    for (const criterion of set.criteria) {
      const subtotal = h("span", { class: "muted" });
      subtotals[criterion.number] = subtotal;
      body.push(h("div", { class: "criterion" }, h("h2", {}, `${criterion.number}. ${criterion.title}`), subtotal));
      for (const indicator of criterion.indicators) {
        const self = selfScores[indicator.id];
        const noteId = `note-${indicator.id}`;
        const photos = h("div");
        photoBlocks.push([photos, indicator]);
        const card = h("section", { class: "indicator", "aria-label": indicator.code },
          h("p", { class: "indicator__text" }, h("span", { class: "indicator__code" }, indicator.code), indicator.text),
          h("div", { class: "indicator__row" }, indicator.max_points === null ? metToggle(indicator) : pointsInput(indicator)),
          self !== undefined && self !== null ? h("p", { class: "indicator__self" }, fmt(T.self_value, { value: spoken(self, indicator) })) : null,
          h("p", { class: "indicator__error", role: "alert", hidden: true }),
          h("details", { class: "note", open: notes[indicator.id] ? true : null },
            h("summary", {}, T.note),
            h("label", { for: noteId, class: "visually-hidden" }, `${T.note} ${indicator.code}`),
            h("textarea", { id: noteId, maxlength: "500", disabled: !mayScore || notDraft, oninput: (event) => { notes[indicator.id] = event.target.value; formDirty = true; } }, notes[indicator.id] || "")),
          photos,
        );
        cards[indicator.id] = card;
        body.push(card);
      }
    }
    const save = h("button", { type: "button", disabled: !mayScore || notDraft, onclick: async () => {
      indicators.forEach(showError);
      if (Object.keys(localErrors).length) {
        flash(T.fix_errors, "error");
        const first = indicators.find((i) => localErrors[i.id]);
        if (first) cards[first.id].scrollIntoView({ block: "center" });
        return;
      }
      const cleanNotes = {};
      for (const [key, text] of Object.entries(notes)) if ((text || "").trim() || (copy.notes || {})[key]) cleanNotes[key] = (text || "").trim();
      await saveAndQueue(evaluation.key, (e) =>
        Object.assign(e, { local: { values: Object.assign({}, values), notes: cleanNotes }, state: "pending", errors: {} }));
      formDirty = false;
      flash(T.saved);
      if (navigator.onLine) sendAll();
      else render();
    } }, T.save);
    screen(subject.name, heading, ...body, h("a", { class: "button button--quiet", href: "#/subjects" }, T.back));
    document.body.append(h("div", { class: "totals" }, h("div", { class: "totals__inner" }, figures, save)));
    indicators.forEach(showError);
    recompute();
    Promise.all(photoBlocks.map(async ([slot, indicator]) => slot.replaceWith(await photoBlock(indicator))));
  }

  async function conflictScreen(key) {
    const evaluation = await get("evaluations", key);
    if (!evaluation || evaluation.state !== "conflict" || !evaluation.conflict) {
      location.hash = "#/";
      return;
    }
    const [subject, set] = await Promise.all([get("subjects", evaluation.subject), get("criteria_sets", evaluation.criteria_set)]);
    const theirs = evaluation.conflict;
    const mine = currentValues(evaluation);
    const rows = indicatorsOf(set).map((indicator) => {
      const a = mine.values[indicator.id];
      const b = theirs.scores[indicator.id];
      const same = spoken(a, indicator) === spoken(b, indicator);
      return h("tr", { "data-differs": same ? null : "" },
        h("th", { scope: "row" }, indicator.code),
        h("td", {}, spoken(a, indicator)),
        h("td", {}, spoken(b, indicator)));
    });
    const mineResult = S.score(set.scoring, mine.values);
    screen(T.conflict_title,
      h("div", { class: "panel stack" },
        h("h1", {}, T.conflict_title),
        h("p", {}, subject ? subject.name : ""),
        h("p", {}, fmt(T.conflict_intro, { version: theirs.version }))),
      h("table", { class: "compare" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, T.conflict_indicator), h("th", { scope: "col" }, T.conflict_mine), h("th", { scope: "col" }, T.conflict_theirs))),
        h("tbody", {}, rows),
        h("tfoot", {}, h("tr", {}, h("th", { scope: "row" }, T.total),
          h("td", {}, mineResult.total === null ? "—" : S.pointsText(mineResult.total)),
          h("td", {}, theirs.total === null ? "—" : S.pointsText(theirs.total))))),
      h("div", { class: "actions", style: "margin-top:1rem" },
        h("button", { type: "button", onclick: async () => {
          // The officer's explicit choice: a new save based on the server's version (its history keeps the other).
          await saveAndQueue(key, (e) => Object.assign(e, { server: theirs, conflict: null, state: "pending", errors: {}, local: mine }));
          location.hash = "#/";
          if (navigator.onLine) sendAll();
        } }, T.conflict_keep_mine),
        h("button", { type: "button", class: "button--quiet", onclick: async () => {
          Object.assign(evaluation, { server: theirs, conflict: null, local: null, state: "synced", errors: {} });
          await put("evaluations", evaluation);
          location.hash = `#/subject/${evaluation.subject}`;
        } }, T.conflict_take_theirs)));
  }

  // ---- start --------------------------------------------------------------------------------------------

  window.addEventListener("hashchange", () => {
    document.querySelector("[data-flash]").hidden = true; // a message belongs to the screen it was shown on
    render();
    app.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  });
  window.addEventListener("online", () => {
    showNet();
    pendingCounts().then((c) => (c.entries || c.photos) && sendAll());
  });
  window.addEventListener("offline", showNet);
  // Closing the app with typed, unsaved scores asks first (saved ones are safe on the phone).
  window.addEventListener("beforeunload", (event) => {
    if (formDirty) event.preventDefault();
  });
  showNet();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(CONFIG.urls.service_worker).catch((error) => console.warn("service worker", error));
  }
  // Keep the phone's data when storage runs short (the browser may otherwise evict it).
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  render();
  // Opened online with work still waiting (the phone was closed mid-send, say): send it now.
  if (navigator.onLine) {
    pendingCounts().then((c) => (c.entries || c.photos ? sendAll() : session().then(refreshHome).catch(() => {})));
  }
})();
