// jirei search: the browser half of generator/search.py (same normalisation and tokens) over
// the static index of generator/browser_index.py. The search page keeps its state (query and
// filters) in the URL.
(function () {
  "use strict";

  // --- normalisation and tokens: keep in step with generator/search.py -----------------
  var WORD = /[\p{L}\p{N}\p{M}]/u;

  function normalize(text) {
    var folded = text.normalize("NFKC").toLowerCase();
    var out = "";
    for (var ch of folded) {
      var code = ch.codePointAt(0);
      out += code >= 0x30a1 && code <= 0x30f6 ? String.fromCodePoint(code - 0x60) : ch;
    }
    return out;
  }

  function runs(normalized) {
    var found = [], current = "";
    for (var ch of normalized) {
      if (WORD.test(ch)) current += ch;
      else if (current) { found.push(current); current = ""; }
    }
    if (current) found.push(current);
    return found;
  }

  function chars(text) { return Array.from(text); }

  function queryWords(query) {
    return normalize(query).split(/\s+/).filter(function (w) { return w && runs(w).length; });
  }

  function crossesPunctuation(word) {
    var found = runs(word);
    return found.length !== 1 || found[0] !== word;
  }

  // The current results' addresses, for tests and for anyone scripting the page.
  async function resultUrls() {
    var items = await Promise.all(shown.map(function (r) { return r.data(); }));
    return items.map(function (d) { return d.url; });
  }

  window.jireiSearch = {
    normalize: normalize, runs: runs, queryWords: queryWords, crossesPunctuation: crossesPunctuation,
    shardOf: function (token, shards) { return shardOf(token, shards); }, resultUrls: resultUrls
  };

  // --- the search page ------------------------------------------------------------------
  // Keys and values from the URL and from the index are never used as keys of plain objects
  // (a value such as "__proto__" or "constructor" would reach Object.prototype): the state and
  // the index live in Maps and Sets, and JSON objects are read through own-property checks.
  var GROUPS = [
    ["type", "種類"], ["field", "分野"], ["band", "人口規模"], ["funding", "支援制度"],
    ["prefecture", "都道府県"], ["year", "年度"], ["tag", "キーワード"],
    ["employment", "任用形態"], ["remote", "リモート勤務"], ["status", "募集状況"]
  ];
  var PAGE_SIZE = 20;
  var FACET_LIMIT = 12;  // values shown in a facet group before 「すべて表示」
  var LOAD_ERROR = "検索の索引を読み込めませんでした。時間をおいて再読み込みしてください。";
  var shown = [];
  var script = document.currentScript;
  var base = script ? script.src.replace(/assets\/search\.js(\?.*)?$/, "") : "/";
  var generation = 0;
  var collator = new Intl.Collator("ja");
  var expanded = new Set();    // facet groups whose values are all shown
  var optionIds = new Map();   // group + value → element id, stable across renderings

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function isGroup(key) { return GROUPS.some(function (g) { return g[0] === key; }); }

  function unique(values) { return Array.from(new Set(values)); }

  // state: {q: string, selected: Map group → [value, ...]}
  function stateFromUrl() {
    var params = new URLSearchParams(location.search);
    var selected = new Map();
    GROUPS.forEach(function (g) {
      var values = unique(params.getAll(g[0]));
      if (values.length) selected.set(g[0], values);
    });
    return { q: params.get("q") || "", selected: selected };
  }

  function urlFromState(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    GROUPS.forEach(function (g) {
      (state.selected.get(g[0]) || []).forEach(function (v) { params.append(g[0], v); });
    });
    var query = params.toString();
    return location.pathname + (query ? "?" + query : "");
  }

  function currentState(form) {
    var selected = new Map();
    form.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      if (!isGroup(box.name)) return;
      if (!selected.has(box.name)) selected.set(box.name, []);
      if (selected.get(box.name).indexOf(box.value) < 0) selected.get(box.name).push(box.value);
    });
    return { q: form.querySelector("input[name=q]").value.trim(), selected: selected };
  }

  // --- the static index (generator/browser_index.py) -------------------------------------
  // Every file is checked when it arrives; a file that fails to download or to pass its check
  // is forgotten, so that a later search downloads it again (past the browser's cache).
  var index = null;
  var files = new Map();    // name → promise of the checked contents
  var failed = new Set();   // names whose last download failed

  function isObject(x) { return x !== null && typeof x === "object" && !Array.isArray(x); }
  function isCount(x) { return Number.isInteger(x) && x >= 0; }
  function own(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
  function ownValue(object, key) { return isObject(object) && own(object, key) ? object[key] : undefined; }

  function corrupt(name) { return new Error("search index: " + name + " is not as expected"); }

  function fetchJson(name, check) {
    var pending = files.get(name);
    if (!pending) {
      pending = fetch(base + "search/index/" + name, failed.has(name) ? { cache: "no-cache" } : {})
        .then(function (r) {
          if (!r.ok) throw new Error("search index: " + name + ": HTTP " + r.status);
          return r.json();
        })
        .then(function (data) { return check(data, name); });
      files.set(name, pending);
      pending.then(function () { failed.delete(name); }, function () {
        failed.add(name);
        if (files.get(name) === pending) files.delete(name);
      });
    }
    return pending;
  }

  function shardOf(token, shards) {
    var h = 2166136261;
    for (var ch of token) { h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0; }
    return h % shards;
  }

  // meta.json → {pages, bigramShards, charShards, titleLengths,
  //              filters: Map group → Map value → [page, ...] (values in Japanese collation order)}
  function readMeta(meta, name) {
    var pages = ownValue(meta, "pages"), titleLengths = ownValue(meta, "titleLengths");
    var bigramShards = ownValue(meta, "bigramShards"), charShards = ownValue(meta, "charShards");
    var rawFilters = ownValue(meta, "filters");
    if (!isCount(pages) || !Array.isArray(titleLengths) || titleLengths.length !== pages ||
        !isCount(bigramShards) || bigramShards < 1 || !isCount(charShards) || charShards < 1 ||
        !isObject(rawFilters)) throw corrupt(name);
    var filters = new Map();
    GROUPS.forEach(function (g) {
      var raw = ownValue(rawFilters, g[0]);
      if (raw === undefined) return;
      if (!isObject(raw)) throw corrupt(name);
      var values = new Map();
      Object.keys(raw).sort(collator.compare).forEach(function (value) {
        var list = raw[value];
        if (!Array.isArray(list) || !list.every(function (p) { return isCount(p) && p < pages; })) throw corrupt(name);
        values.set(value, unique(list));
      });
      filters.set(g[0], values);
    });
    return {
      pages: pages, bigramShards: bigramShards, charShards: charShards,
      titleLengths: titleLengths, filters: filters
    };
  }

  // b<N>.json: bigram → [[page, position, ...], ...]
  function readBigramShard(shard, name) {
    if (!isObject(shard) || !Object.keys(shard).every(function (token) {
      var list = shard[token];
      return Array.isArray(list) && list.every(function (entry) {
        return Array.isArray(entry) && entry.length > 1 && entry.every(isCount);
      });
    })) throw corrupt(name);
    return shard;
  }

  // c<N>.json: character → [page, ...]
  function readCharShard(shard, name) {
    if (!isObject(shard) || !Object.keys(shard).every(function (ch) {
      return Array.isArray(shard[ch]) && shard[ch].every(isCount);
    })) throw corrupt(name);
    return shard;
  }

  function readDocument(d, name) {
    if (!isObject(d) || typeof ownValue(d, "url") !== "string") throw corrupt(name);
    function text(key) { var v = ownValue(d, key); return typeof v === "string" ? v : ""; }
    return {
      url: d.url, title: text("title"), place: text("place"), field: text("field"), type: text("type"), text: text("text")
    };
  }

  async function loadIndex() {
    if (!index) index = await fetchJson("meta.json", readMeta);
    return index;
  }

  function page(number) {
    return {
      number: number,
      data: async function () {
        var d = await fetchJson("d/" + number + ".json", readDocument);
        return { url: new URL(base + d.url).pathname, meta: { title: d.title, place: d.place, field: d.field, type: d.type, text: d.text } };
      }
    };
  }

  // A token's list in a (checked) shard, or [] for a token the shard does not hold.
  function listIn(shard, token) {
    return own(shard, token) ? shard[token] : [];
  }

  async function bigramPostings(token) {
    return listIn(await fetchJson("b" + shardOf(token, index.bigramShards) + ".json", readBigramShard), token);
  }

  async function charPages(ch) {
    return listIn(await fetchJson("c" + shardOf(ch, index.charShards) + ".json", readCharShard), ch);
  }

  // Pages containing a run: Map page → {count, inTitle}. Bigrams must stand at consecutive positions.
  async function matchRun(run) {
    var found = new Map();
    var c = chars(run);
    if (c.length === 1) {
      (await charPages(run)).forEach(function (p) { found.set(p, { count: 1, inTitle: false }); });
      return found;
    }
    var grams = [];
    for (var i = 0; i + 1 < c.length; i++) grams.push(c[i] + c[i + 1]);
    var lists = await Promise.all(grams.map(bigramPostings));
    var maps = lists.map(function (list) {
      var m = new Map();
      list.forEach(function (entry) { m.set(entry[0], new Set(entry.slice(1))); });
      return m;
    });
    lists[0].forEach(function (entry) {
      var pageNumber = entry[0], count = 0, inTitle = false;
      entry.slice(1).forEach(function (start) {
        for (var k = 1; k < maps.length; k++) {
          var at = maps[k].get(pageNumber);
          if (!at || !at.has(start + k)) return;
        }
        count += 1;
        if (start < index.titleLengths[pageNumber]) inTitle = true;
      });
      if (count) found.set(pageNumber, { count: count, inTitle: inTitle });
    });
    return found;
  }

  async function matchWord(word) {
    var parts = await Promise.all(runs(word).map(matchRun));
    var result = parts[0];
    for (var i = 1; i < parts.length; i++) {
      var next = new Map();
      result.forEach(function (v, p) { if (parts[i].has(p)) next.set(p, { count: Math.min(v.count, parts[i].get(p).count), inTitle: v.inTitle && parts[i].get(p).inTitle }); });
      result = next;
    }
    return result;
  }

  // Pages carrying any of the values; a value the index does not know matches nothing.
  function pagesWith(key, values) {
    var set = new Set();
    var known = index.filters.get(key);
    values.forEach(function (v) {
      var list = known && known.get(v);
      if (list) list.forEach(function (p) { set.add(p); });
    });
    return set;
  }

  async function find(state) {
    await loadIndex();
    var words = queryWords(state.q);
    var groups = Array.from(state.selected.keys()).filter(function (k) { return state.selected.get(k).length; });
    if (!words.length && !groups.length) return null;
    var scores = new Map();
    if (words.length) {
      var matches = await Promise.all(words.map(matchWord));
      matches[0].forEach(function (v, p) { scores.set(p, 0); });
      matches.forEach(function (m, i) {
        var idf = Math.log(1 + index.pages / Math.max(1, m.size));
        scores.forEach(function (score, p) {
          var hit = m.get(p);
          if (!hit) { scores.delete(p); return; }
          scores.set(p, score + idf * Math.log(1 + hit.count) + (hit.inTitle ? 2 * idf : 0));
        });
      });
      // A word across punctuation ("Wi-Fi") is checked against the page text itself.
      var crossing = words.filter(crossesPunctuation);
      if (crossing.length) {
        var numbers = Array.from(scores.keys());
        var docs = await Promise.all(numbers.map(function (p) { return fetchJson("d/" + p + ".json", readDocument); }));
        docs.forEach(function (d, i) {
          var text = normalize(d.title + "\n" + d.text);
          if (!crossing.every(function (w) { return text.indexOf(w) >= 0; })) scores.delete(numbers[i]);
        });
      }
    } else {
      for (var p = 0; p < index.pages; p++) scores.set(p, 0);
    }
    var allowed = new Map();
    groups.forEach(function (k) { allowed.set(k, pagesWith(k, state.selected.get(k))); });
    function passes(p, except) {
      return groups.every(function (k) { return k === except || allowed.get(k).has(p); });
    }
    var numbers = Array.from(scores.keys()).filter(function (p) { return passes(p, null); });
    numbers.sort(function (a, b) { return scores.get(b) - scores.get(a) || a - b; });
    // Facet counts: each value among the matches that pass the other groups' filters.
    var counts = new Map();
    index.filters.forEach(function (values, key) {
      var inGroup = new Map();
      values.forEach(function (list, value) {
        var n = 0;
        list.forEach(function (p) { if (scores.has(p) && passes(p, key)) n += 1; });
        inGroup.set(value, n);
      });
      counts.set(key, inGroup);
    });
    return { results: numbers.map(page), counts: counts };
  }

  function excerpt(text, words) {
    // Map each character's normalised form back to its place in the original text.
    var original = chars(text), starts = [], normalized = "";
    original.forEach(function (ch, i) { starts.push(normalized.length); normalized += normalize(ch); });
    var best = -1, length = 0;
    words.forEach(function (w) {
      var at = normalized.indexOf(w);
      if (at >= 0 && (best < 0 || at < best)) { best = at; length = w.length; }
    });
    var node = el("p", { "class": "jirei-result__excerpt" });
    if (best < 0) { node.textContent = original.slice(0, 120).join("") + (original.length > 120 ? "…" : ""); return node; }
    var from = 0, to = original.length;
    for (var i = 0; i < starts.length; i++) { if (starts[i] <= best) from = i; if (starts[i] < best + length) to = i + 1; }
    var left = Math.max(0, from - 50), right = Math.min(original.length, to + 70);
    node.appendChild(document.createTextNode((left > 0 ? "…" : "") + original.slice(left, from).join("").replace(/\s+/g, " ")));
    node.appendChild(el("mark", {}, original.slice(from, to).join("")));
    node.appendChild(document.createTextNode(original.slice(to, right).join("").replace(/\s+/g, " ") + (right < original.length ? "…" : "")));
    return node;
  }

  async function renderResults(list, results, words, start, mine) {
    var slice = results.slice(start, start + PAGE_SIZE);
    var items = await Promise.all(slice.map(function (r) { return r.data(); }));
    if (mine !== generation) return;  // a newer search owns the list now
    items.forEach(function (data) {
      var li = el("li", { "class": "jirei-result" });
      var h = el("h3", { "class": "jirei-result__title" });
      h.appendChild(el("a", { href: data.url }, data.meta.title));
      li.appendChild(h);
      li.appendChild(el("p", { "class": "jirei-result__meta" }, data.meta.place + "｜" + data.meta.field));
      li.appendChild(excerpt(data.meta.text, words));
      list.appendChild(li);
    });
  }

  // --- facets ---------------------------------------------------------------------------
  function optionId(key, value) {
    var name = key + "\n" + value;
    if (!optionIds.has(name)) optionIds.set(name, "f-" + key + "-" + optionIds.size);
    return optionIds.get(name);
  }

  // A group's values, most common first (ties in Japanese collation order), each with its count;
  // selected values the index does not know come last, so that they can be unchecked. Without
  // an index (it failed to load) only the selected values are listed, without counts, so that
  // a later search keeps them.
  function facetValues(key, state, counts) {
    var known = index ? index.filters.get(key) || new Map() : new Map();
    var inGroup = counts ? counts.get(key) : null;
    var selected = new Set(state.selected.get(key) || []);
    var values = [];
    known.forEach(function (list, value) {
      var count = inGroup ? inGroup.get(value) || 0 : list.length;
      values.push({ value: value, count: count, checked: selected.has(value) });
    });
    values.sort(function (a, b) { return b.count - a.count; });  // stable: keeps collation order
    var unknown = Array.from(selected).filter(function (v) { return !known.has(v); });
    unknown.sort(collator.compare).forEach(function (value) {
      values.push({ value: value, count: index ? 0 : null, checked: true });
    });
    return values;
  }

  function facetOption(key, item) {
    var id = optionId(key, item.value);
    var label = el("label", { "for": id, "class": "jirei-facet__option" });
    var box = el("input", { type: "checkbox", name: key, value: item.value, id: id });
    box.checked = item.checked;
    if (item.count === 0 && !item.checked) label.classList.add("jirei-facet__option--empty");
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + item.value + " "));
    if (item.count !== null) label.appendChild(el("span", { "class": "jirei-facet__count" }, "(" + item.count + ")"));
    return label;
  }

  // One group: its first FACET_LIMIT values and any selected ones; the rest only on demand,
  // in a region after the button that reveals it (so a group of thousands of values costs
  // a few dozen elements until someone asks for them).
  function renderGroup(key, title, state, counts) {
    var values = facetValues(key, state, counts);
    if (!values.length) return null;
    var fieldset = el("fieldset", { "class": "jirei-facet", "data-group": key });
    fieldset.appendChild(el("legend", {}, title));
    var rest = [];
    values.forEach(function (item, i) {
      if (i < FACET_LIMIT || item.checked) fieldset.appendChild(facetOption(key, item));
      else rest.push(item);
    });
    if (!rest.length) return fieldset;
    var open = expanded.has(key);
    var regionId = "f-rest-" + key;
    var button = el("button", {
      type: "button", id: "f-more-" + key, "class": "jirei-facet__more",
      "aria-expanded": String(open), "aria-controls": regionId
    }, open ? "少なく表示" : "すべて表示（残り " + rest.length + " 件）");
    var region = el("div", { id: regionId, "class": "jirei-facet__rest" });
    if (open) rest.forEach(function (item) { region.appendChild(facetOption(key, item)); });
    else region.hidden = true;
    button.addEventListener("click", function () {
      if (open) expanded.delete(key); else expanded.add(key);
      var next = renderGroup(key, title, state, counts);
      fieldset.replaceWith(next);
      next.querySelector(".jirei-facet__more").focus();
    });
    fieldset.appendChild(button);
    fieldset.appendChild(region);
    return fieldset;
  }

  function renderFilters(box, state, counts) {
    var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : null;
    box.textContent = "";
    GROUPS.forEach(function (g) {
      var fieldset = renderGroup(g[0], g[1], state, counts);
      if (fieldset) box.appendChild(fieldset);
    });
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  // --- running a search -----------------------------------------------------------------
  function showFailure(root, state, error) {
    if (window.console) console.warn(error);
    root.querySelector("#jirei-search-status").textContent = LOAD_ERROR;
    root.querySelector("#jirei-search-results").textContent = "";
    root.querySelector("#jirei-search-more").hidden = true;
    if (!index) renderFilters(root.querySelector("#jirei-search-filters"), state, null);
    shown = [];
  }

  // Never rejects: a failure of the index is told in the status line.
  async function run(root, state) {
    var mine = ++generation;
    var status = root.querySelector("#jirei-search-status");
    var list = root.querySelector("#jirei-search-results");
    var more = root.querySelector("#jirei-search-more");
    var facets = root.querySelector("#jirei-search-filters");
    status.textContent = "検索しています…";
    try {
      var found = await find(state);
      if (mine !== generation) return;  // a newer search has started
      list.textContent = "";
      more.hidden = true;
      more.onclick = null;
      shown = [];
      if (!found) {
        renderFilters(facets, state, null);
        status.textContent = "キーワードを入力するか、絞り込みの条件を選んでください。";
        return;
      }
      renderFilters(facets, state, found.counts);
      shown = found.results;
      var words = queryWords(state.q);
      await renderResults(list, shown, words, 0, mine);
      if (mine !== generation) return;
      // Announced once the results are on the page.
      status.textContent = shown.length ? shown.length + " 件見つかりました" : "見つかりませんでした。キーワードを変えるか、絞り込みを外してください。";
      more.hidden = shown.length <= PAGE_SIZE;
      more.onclick = async function () {
        try {
          await renderResults(list, shown, words, list.children.length, mine);
          more.hidden = list.children.length >= shown.length;
        } catch (error) {
          if (mine === generation) showFailure(root, state, error);
        }
      };
    } catch (error) {
      if (mine === generation) showFailure(root, state, error);
    }
  }

  function initSearchPage(root) {
    var form = root.querySelector("form");
    var input = form.querySelector("input[name=q]");
    root.querySelector("#jirei-search-js").hidden = false;
    var state = stateFromUrl();
    input.value = state.q;
    var timer = null;
    function update(push) {
      var next = currentState(form);
      var url = urlFromState(next);
      if (url !== location.pathname + location.search) {
        if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
      }
      run(root, next);
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); update(true); });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { update(false); }, 250); });
    root.querySelector("#jirei-search-filters").addEventListener("change", function () { update(true); });
    window.addEventListener("popstate", function () {
      var restored = stateFromUrl();
      input.value = restored.q;
      run(root, restored);
    });
    run(root, state);
  }

  function init() {
    var root = document.getElementById("jirei-search");
    if (root) initSearchPage(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
