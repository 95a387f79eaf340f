// khobor desk: renders /api/events and /api/feeds, then follows /live
// (server-sent events) so new alerts and updates appear without a reload.
// Feed text is only ever set as text (textContent, text nodes), never as markup.
'use strict';

const zone = 'Asia/Dhaka';
const clock = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' });
const stamp = new Intl.DateTimeFormat('en-GB', {
  timeZone: zone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
});

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

// [[text, marked], …] as text nodes and <mark> elements.
function runs(parent, list) {
  for (const [text, marked] of list || []) {
    parent.appendChild(marked ? el('mark', null, text) : document.createTextNode(text));
  }
  return parent;
}

// A link out, for http(s) URLs only; anything else stays plain text.
function linkOut(child, href) {
  if (!/^https?:\/\//i.test(href || '')) return child;
  const a = el('a');
  a.href = href;
  a.rel = 'noopener noreferrer';
  a.target = '_blank';
  a.appendChild(child);
  return a;
}

const when = (s) => (s ? stamp.format(new Date(s * 1000)) : '');

function timeline(card) {
  const box = el('div', 'timeline');
  const points = card.timeline || [];
  if (!points.length) return box;
  const t0 = points[0].time;
  const span = Math.max(points[points.length - 1].time - t0, 1);
  const bar = el('div', 'bar');
  const outlets = el('ol', 'outlets');
  const seen = new Set();
  for (const p of points) {
    const dot = el('span', 'dot');
    dot.style.left = ((p.time - t0) / span) * 100 + '%';
    dot.title = p.outlet + ', seen ' + when(p.time);
    bar.appendChild(dot);
    if (seen.has(p.outlet)) continue;
    seen.add(p.outlet);
    const li = el('li');
    li.append(el('span', 'outlet', p.outlet), el('time', null, clock.format(new Date(p.time * 1000))));
    outlets.appendChild(li);
  }
  box.append(bar, outlets);
  return box;
}

function lists(card) {
  const ul = el('ul', 'lists');
  for (const w of card.watchlists || []) {
    const li = el('li', null, w.name);
    if (w.terms.length) li.appendChild(el('span', 'terms', ' · ' + w.terms.join(', ')));
    ul.appendChild(li);
  }
  return ul;
}

function entries(card) {
  const d = el('details');
  d.appendChild(el('summary', null, card.entries.length + ' entr' + (card.entries.length === 1 ? 'y' : 'ies')));
  const ol = el('ol', 'entries');
  for (const e of card.entries) {
    const li = el('li');
    li.append(el('span', 'kind', e.kind + ' #' + e.seq), el('span', 'feed', e.feed + ': '));
    li.appendChild(linkOut(runs(el('span', 'title'), e.title), e.link));
    li.appendChild(el('span', 'kind', ' ' + when(e.time)));
    ol.appendChild(li);
  }
  d.appendChild(ol);
  return d;
}

function render(card) {
  const art = el('article', 'event');
  art.dataset.key = String(card.key);
  art.dataset.seq = String(card.last_seq);
  const h = el('h2', 'headline');
  h.appendChild(linkOut(runs(el('span'), card.headline), card.link));
  const count = (n, one, many) => n + ' ' + (n === 1 ? one : many);
  const outlets = card.outlet_count ? count(card.outlet_count, 'outlet', 'outlets') + ', ' : '';
  const meta = el('p', 'meta', card.feed + ' · ' + when(card.published || card.last_time) + ' · ' +
    outlets + count(card.entry_count || card.entries.length, 'entry', 'entries') +
    (card.event !== null ? ' · event ' + card.event : ''));
  art.append(h, meta, lists(card));
  if (card.snippet && card.snippet.length) art.appendChild(runs(el('p', 'snippet'), card.snippet));
  art.append(timeline(card), entries(card));
  return art;
}

const box = document.getElementById('events');

function showAll(cards) {
  for (const a of box.querySelectorAll('article.event')) a.remove();
  for (const c of cards) box.appendChild(render(c));
  document.getElementById('no-events').hidden = cards.length > 0;
}

// A card from the live stream: replaces its older self and goes on top.
function upsert(card) {
  const old = box.querySelector('article.event[data-key="' + CSS.escape(String(card.key)) + '"]');
  if (old && Number(old.dataset.seq) > card.last_seq) return;
  if (old) old.remove();
  const art = render(card);
  art.classList.add('fresh');
  box.insertBefore(art, box.querySelector('article.event'));
  document.getElementById('no-events').hidden = true;
  setTimeout(() => art.classList.remove('fresh'), 4000);
}

async function loadEvents() {
  const r = await fetch('/api/events', { cache: 'no-store' });
  if (!r.ok) throw new Error('the store: ' + (await r.text()));
  showAll((await r.json()).events);
}

function state(text, cls) {
  const s = document.getElementById('state');
  s.textContent = text;
  s.className = 'state ' + (cls || '');
}

function duration(s) {
  if (!s) return '-';
  if (s < 60) return s + 's';
  if (s < 3600) return Math.round(s / 60) + 'm';
  return Math.floor(s / 3600) + 'h' + (Math.round((s % 3600) / 60) || '');
}

function feedRow(f) {
  const tr = el('tr');
  let st = f.retired ? 'retired' : f.in_flight ? 'fetching' : f.last_attempt ? 'ok' : 'never polled';
  if (f.error) st = f.error;
  else if (f.moved_to) st = 'ok, moved to ' + f.moved_to;
  else if (f.ids === 'links' && st === 'ok') st = 'ok, link ids';
  else if (f.repaired && st === 'ok') st = 'ok, repaired (not well-formed, read anyway)';
  tr.className = f.retired ? 'retired' : f.error || f.consecutive_errors ? 'failing'
    : f.moved_to || f.ids === 'links' || f.repaired ? 'mended' : '';
  const cells = [f.id, f.http_status || '-', when(Date.parse(f.last_success) / 1000) || '-',
    f.consecutive_errors, when(Date.parse(f.next_due) / 1000) || '-', duration(f.interval_s),
    f.entries, (f.latency_ms || 0) + ' ms'];
  for (const c of cells) tr.appendChild(el('td', null, c));
  tr.appendChild(el('td', 'state-cell', st));
  return tr;
}

async function loadFeeds() {
  const note = document.getElementById('feeds-note');
  try {
    const r = await fetch('/api/feeds', { cache: 'no-store' });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error);
    const tbody = document.querySelector('#feeds tbody');
    tbody.replaceChildren(...body.feeds.map(feedRow));
    const bad = body.feeds.filter((f) => f.error || f.consecutive_errors).length;
    note.textContent = body.feeds.length + ' feeds' + (bad ? ', ' + bad + ' failing' : '');
  } catch (e) {
    note.textContent = e.message;
  }
}

function follow() {
  const live = new EventSource('/live');
  live.addEventListener('hello', () => {
    state('live', 'live');
    loadEvents().catch((e) => state(e.message, 'down'));  // whatever came while away
  });
  live.addEventListener('card', (ev) => upsert(JSON.parse(ev.data)));
  live.addEventListener('resync', () => loadEvents().catch((e) => state(e.message, 'down')));
  live.onerror = () => state('reconnecting…', 'down');
}

follow();
loadFeeds();
setInterval(loadFeeds, 30000);
