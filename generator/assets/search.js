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
  var GROUPS = [
    ["type", "種類"], ["field", "分野"], ["band", "人口規模"], ["funding", "支援制度"],
    ["prefecture", "都道府県"], ["year", "年度"], ["tag", "キーワード"],
    ["employment", "任用形態"], ["remote", "リモート勤務"], ["status", "募集状況"]
  ];
  var PAGE_SIZE = 20;
  var shown = [];
  var script = document.currentScript;
  var base = script ? script.src.replace(/assets\/search\.js(\?.*)?$/, "") : "/";
  var allFilters = {};
  var generation = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function stateFromUrl() {
    var params = new URLSearchParams(location.search);
    var selected = {};
    GROUPS.forEach(function (g) {
      var values = params.getAll(g[0]);
      if (values.length) selected[g[0]] = values;
    });
    return { q: params.get("q") || "", selected: selected };
  }

  function urlFromState(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    GROUPS.forEach(function (g) {
      (state.selected[g[0]] || []).forEach(function (v) { params.append(g[0], v); });
    });
    var query = params.toString();
    return location.pathname + (query ? "?" + query : "");
  }

  function currentState(form) {
    var selected = {};
    form.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      (selected[box.name] = selected[box.name] || []).push(box.value);
    });
    return { q: form.querySelector("input[name=q]").value.trim(), selected: selected };
  }

  // --- the static index (generator/browser_index.py) -------------------------------------
  var index = null;
  var files = new Map();

  function fetchJson(name) {
    if (!files.has(name)) {
      files.set(name, fetch(base + "search/index/" + name).then(function (r) {
        if (!r.ok) throw new Error(name + ": " + r.status);
        return r.json();
      }));
    }
    return files.get(name);
  }

  function shardOf(token, shards) {
    var h = 2166136261;
    for (var ch of token) { h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0; }
    return h % shards;
  }

  async function loadIndex() {
    if (!index) {
      index = await fetchJson("meta.json");
      allFilters = {};
      Object.keys(index.filters).forEach(function (key) {
        allFilters[key] = {};
        Object.keys(index.filters[key]).forEach(function (v) { allFilters[key][v] = index.filters[key][v].length; });
      });
    }
    return index;
  }

  function page(number) {
    return {
      number: number,
      data: async function () {
        var d = await fetchJson("d/" + number + ".json");
        return { url: new URL(base + d.url).pathname, meta: { title: d.title, place: d.place, field: d.field, type: d.type, text: d.text } };
      }
    };
  }

  async function bigramPostings(token) {
    var shard = await fetchJson("b" + shardOf(token, index.bigramShards) + ".json");
    return shard[token] || [];
  }

  async function charPages(ch) {
    var shard = await fetchJson("c" + shardOf(ch, index.charShards) + ".json");
    return shard[ch] || [];
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

  function pagesWith(key, values) {
    var set = new Set();
    values.forEach(function (v) { ((index.filters[key] || {})[v] || []).forEach(function (p) { set.add(p); }); });
    return set;
  }

  async function find(state) {
    await loadIndex();
    var words = queryWords(state.q);
    var groups = Object.keys(state.selected).filter(function (k) { return state.selected[k].length; });
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
        var docs = await Promise.all(numbers.map(function (p) { return fetchJson("d/" + p + ".json"); }));
        docs.forEach(function (d, i) {
          var text = normalize(d.title + "\n" + d.text);
          if (!crossing.every(function (w) { return text.indexOf(w) >= 0; })) scores.delete(numbers[i]);
        });
      }
    } else {
      for (var p = 0; p < index.pages; p++) scores.set(p, 0);
    }
    var allowed = {};
    groups.forEach(function (k) { allowed[k] = pagesWith(k, state.selected[k]); });
    function passes(p, except) {
      return groups.every(function (k) { return k === except || allowed[k].has(p); });
    }
    var numbers = Array.from(scores.keys()).filter(function (p) { return passes(p, null); });
    numbers.sort(function (a, b) { return scores.get(b) - scores.get(a) || a - b; });
    // Facet counts: each value among the matches that pass the other groups' filters.
    var counts = {};
    Object.keys(index.filters).forEach(function (key) {
      counts[key] = {};
      Object.keys(index.filters[key]).forEach(function (value) {
        var n = 0;
        index.filters[key][value].forEach(function (p) { if (scores.has(p) && passes(p, key)) n += 1; });
        counts[key][value] = n;
      });
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

  function renderFilters(box, state, counts) {
    var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.id : null;
    box.textContent = "";
    GROUPS.forEach(function (g) {
      var key = g[0], values = Object.keys(allFilters[key] || {});
      if (!values.length) return;
      values.sort(function (a, b) { return a.localeCompare(b, "ja"); });
      var fieldset = el("fieldset", { "class": "jirei-facet" });
      fieldset.appendChild(el("legend", {}, g[1]));
      var selected = state.selected[key] || [];
      values.forEach(function (value) {
        var count = counts ? ((counts[key] || {})[value] || 0) : allFilters[key][value];
        var id = "f-" + key + "-" + encodeURIComponent(value).replace(/%/g, "_");
        var label = el("label", { "for": id, "class": "jirei-facet__option" });
        var box_ = el("input", { type: "checkbox", name: key, value: value, id: id });
        box_.checked = selected.indexOf(value) >= 0;
        if (!count && !box_.checked) label.classList.add("jirei-facet__option--empty");
        label.appendChild(box_);
        label.appendChild(document.createTextNode(" " + value + " "));
        label.appendChild(el("span", { "class": "jirei-facet__count" }, "(" + count + ")"));
        fieldset.appendChild(label);
      });
      box.appendChild(fieldset);
    });
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  async function run(root, state) {
    var mine = ++generation;
    var status = root.querySelector("#jirei-search-status");
    var list = root.querySelector("#jirei-search-results");
    var more = root.querySelector("#jirei-search-more");
    var facets = root.querySelector("#jirei-search-filters");
    status.textContent = "検索しています…";
    var found = await find(state);
    if (mine !== generation) return;  // a newer search has started
    list.textContent = "";
    more.hidden = true;
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
      await renderResults(list, shown, words, list.children.length, mine);
      more.hidden = list.children.length >= shown.length;
    };
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
