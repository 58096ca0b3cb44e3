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

  // Latin words match as words: runs of ASCII letters and digits are framed by MARK.
  var MARK = "\u0001";
  var LATIN = /[a-z0-9]+/g;
  var SCRIPT_BOUNDARY = /(?<=[a-z])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[a-z])/;

  function mark(normalized) {
    return normalized.replace(LATIN, function (m) { return MARK + m + MARK; });
  }

  function markedRuns(normalized) { return runs(normalized).map(mark); }

  // Words of a query, cut where Latin letters meet Japanese (AIチャット → ai, ちゃっと).
  function queryWords(query) {
    var words = [];
    normalize(query).split(/\s+/).forEach(function (w) {
      w.split(SCRIPT_BOUNDARY).forEach(function (part) { if (part && runs(part).length) words.push(part); });
    });
    return words;
  }

  function crossesPunctuation(word) {
    var found = runs(word);
    return found.length !== 1 || found[0] !== word;
  }

  // The current results' addresses, for tests and for anyone scripting the page: the pages that
  // match, then (relatedUrls) the cases found through a predecessor or successor of their program.
  async function urlsOf(related) {
    var items = await Promise.all(shown.filter(function (r) { return r.related === related; })
      .map(function (r) { return r.data(); }));
    return items.map(function (d) { return d.url; });
  }

  window.jireiSearch = {
    normalize: normalize, runs: runs, queryWords: queryWords, crossesPunctuation: crossesPunctuation,
    mark: mark, markedRuns: markedRuns,
    shardOf: function (token, shards) { return shardOf(token, shards); },
    resultUrls: function () { return urlsOf(false); }, relatedUrls: function () { return urlsOf(true); }
  };

  // --- the search page ------------------------------------------------------------------
  // Keys and values from the URL and from the index are never used as keys of plain objects
  // (a value such as "__proto__" or "constructor" would reach Object.prototype): the state and
  // the index live in Maps and Sets, and JSON objects are read through own-property checks.
  var GROUPS = [
    ["type", "種類"], ["field", "分野"], ["band", "人口規模"], ["kind", "団体の種類"], ["funding", "支援制度"],
    ["prefecture", "都道府県"], ["year", "年度"], ["tag", "キーワード"],
    ["employment", "任用形態"], ["remote", "リモート勤務"], ["status", "募集状況"]
  ];
  var TYPE_RANKS = ["事例", "求人", "アドバイザー制度", "支援制度"];
  var RELATED = 3;  // a match completed only by the lineage of a case's programs
  var PAGE_SIZE = 20;
  var FACET_LIMIT = 12;  // values shown in a facet group before 「すべて表示」
  var FIND_FROM = 30;    // a group of more values has a box to find them
  var FIND_LIMIT = 50;   // values listed for what is typed in that box
  var BY_COUNT = new Set(["funding", "tag"]);  // most common first
  var LOAD_ERROR = "検索の索引を読み込めませんでした。時間をおいて再読み込みしてください。";
  var shown = [];
  var script = document.currentScript;
  var base = script ? script.src.replace(/assets\/search\.js(\?.*)?$/, "") : "/";
  var generation = 0;
  var collator = new Intl.Collator("ja");
  var expanded = new Set();    // facet groups whose values are all shown
  var finds = new Map();       // facet group → what is typed in its find box
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

  // meta.json → {pages, bigramShards, charShards,
  //              ends: per page, where its title and names, keys and content end (token positions),
  //              filters: Map group → Map value → [page, ...] (values in the order people expect:
  //              order[group] where the index gives one, else Japanese collation),
  //              types: per page, the rank of its type (事例 first)}
  function readMeta(meta, name) {
    var pages = ownValue(meta, "pages"), ends = ownValue(meta, "ends");
    var bigramShards = ownValue(meta, "bigramShards"), charShards = ownValue(meta, "charShards");
    var rawFilters = ownValue(meta, "filters"), rawOrder = ownValue(meta, "order");
    if (!isCount(pages) || !Array.isArray(ends) || ends.length !== pages ||
        !ends.every(function (e) { return Array.isArray(e) && e.length === 3 && e.every(isCount); }) ||
        !isCount(bigramShards) || bigramShards < 1 || !isCount(charShards) || charShards < 1 ||
        !isObject(rawFilters) || (rawOrder !== undefined && !isObject(rawOrder))) throw corrupt(name);
    var filters = new Map();
    GROUPS.forEach(function (g) {
      var raw = ownValue(rawFilters, g[0]);
      if (raw === undefined) return;
      if (!isObject(raw)) throw corrupt(name);
      var order = ownValue(rawOrder, g[0]);
      if (order !== undefined && !(Array.isArray(order) && order.every(function (v) { return typeof v === "string"; }))) {
        throw corrupt(name);
      }
      var values = new Map();
      var keys = Object.keys(raw).sort(collator.compare);
      if (order) {
        var place = new Map();
        order.forEach(function (v, i) { if (!place.has(v)) place.set(v, i); });
        keys.sort(function (x, y) {
          var px = place.has(x) ? place.get(x) : order.length, py = place.has(y) ? place.get(y) : order.length;
          return px - py;  // stable: collation among values the order does not name
        });
      }
      keys.forEach(function (value) {
        var list = raw[value];
        if (!Array.isArray(list) || !list.every(function (p) { return isCount(p) && p < pages; })) throw corrupt(name);
        values.set(value, unique(list));
      });
      filters.set(g[0], values);
    });
    var types = new Array(pages).fill(TYPE_RANKS.length);
    var typeFilter = filters.get("type");
    if (typeFilter) {
      typeFilter.forEach(function (list, label) {
        var rank = TYPE_RANKS.indexOf(label);
        if (rank >= 0) list.forEach(function (p) { types[p] = Math.min(types[p], rank); });
      });
    }
    return {
      pages: pages, bigramShards: bigramShards, charShards: charShards, ends: ends, filters: filters, types: types
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
      url: d.url, title: text("title"), place: text("place"), field: text("field"), type: text("type"),
      text: text("text"), extra: text("extra"), lineage: text("lineage")
    };
  }

  async function loadIndex() {
    if (!index) index = await fetchJson("meta.json", readMeta);
    return index;
  }

  function page(number, related) {
    return {
      number: number,
      related: related,
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

  // Where a token position lies on a page: 0 title and names, 1 keys, 2 content, RELATED lineage.
  function placeOf(pageNumber, position) {
    var ends = index.ends[pageNumber];
    for (var i = 0; i < ends.length; i++) if (position < ends[i]) return i;
    return RELATED;
  }

  // Pages containing a (marked) run: Map page → {count, place}. Bigrams must stand at
  // consecutive positions; place is the best place of an occurrence.
  async function matchRun(run) {
    var found = new Map();
    var c = chars(run);
    if (c.length === 1) {  // the character index holds the content only
      (await charPages(run)).forEach(function (p) { found.set(p, { count: 1, place: 2 }); });
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
      var pageNumber = entry[0], count = 0, place = RELATED + 1;
      entry.slice(1).forEach(function (start) {
        for (var k = 1; k < maps.length; k++) {
          var at = maps[k].get(pageNumber);
          if (!at || !at.has(start + k)) return;
        }
        var here = placeOf(pageNumber, start);
        if (here < RELATED) count += 1;
        place = Math.min(place, here);
      });
      if (place <= RELATED) found.set(pageNumber, { count: count, place: place });
    });
    return found;
  }

  async function matchWord(word) {
    var parts = await Promise.all(markedRuns(word).map(matchRun));
    var result = parts[0];
    for (var i = 1; i < parts.length; i++) {
      var next = new Map();
      result.forEach(function (v, p) {
        var other = parts[i].get(p);
        if (other) next.set(p, { count: Math.min(v.count, other.count), place: Math.max(v.place, other.place) });
      });
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

  // Pages matching every word, best first: those whose title, names, tags or programs hold every
  // word, cases before other pages, then by score; then the cases found only through the
  // predecessors and successors of the programs they used (related).
  async function find(state) {
    await loadIndex();
    var words = queryWords(state.q);
    var groups = Array.from(state.selected.keys()).filter(function (k) { return state.selected.get(k).length; });
    if (!words.length && !groups.length) return null;
    var scores = new Map(), places = new Map();
    if (words.length) {
      var matches = await Promise.all(words.map(matchWord));
      matches[0].forEach(function (v, p) { scores.set(p, 0); places.set(p, 0); });
      matches.forEach(function (m) {
        var idf = Math.log(1 + index.pages / Math.max(1, m.size));
        scores.forEach(function (score, p) {
          var hit = m.get(p);
          if (!hit) { scores.delete(p); return; }
          places.set(p, Math.max(places.get(p), hit.place));
          scores.set(p, score + idf * Math.log(1 + hit.count) + (hit.place === 0 ? 2 * idf : 0));
        });
      });
      // A word across punctuation ("Wi-Fi") is checked against the page's texts themselves.
      var crossing = words.filter(crossesPunctuation);
      if (crossing.length) {
        var numbers = Array.from(scores.keys());
        var docs = await Promise.all(numbers.map(function (p) { return fetchJson("d/" + p + ".json", readDocument); }));
        docs.forEach(function (d, i) {
          var content = mark(normalize(d.title + "\n" + d.extra + "\n" + d.text));
          var lineage = mark(normalize(d.lineage));
          var place = 0;
          crossing.forEach(function (w) {
            var marked = mark(w);
            place = Math.max(place, content.indexOf(marked) >= 0 ? 0 : lineage.indexOf(marked) >= 0 ? RELATED : RELATED + 1);
          });
          if (place > RELATED) scores.delete(numbers[i]);
          else if (place === RELATED) places.set(numbers[i], RELATED);
        });
      }
    } else {
      for (var p = 0; p < index.pages; p++) { scores.set(p, 0); places.set(p, 2); }
    }
    var allowed = new Map();
    groups.forEach(function (k) { allowed.set(k, pagesWith(k, state.selected.get(k))); });
    function passes(p, except) {
      return groups.every(function (k) { return k === except || allowed.get(k).has(p); });
    }
    var numbers = Array.from(scores.keys()).filter(function (p) { return passes(p, null); });
    numbers.sort(function (a, b) {
      return places.get(a) - places.get(b) || index.types[a] - index.types[b] || scores.get(b) - scores.get(a) || a - b;
    });
    // Facet counts: each value among the matches (not the related cases) that pass the other groups' filters.
    var counts = new Map();
    index.filters.forEach(function (values, key) {
      var inGroup = new Map();
      values.forEach(function (list, value) {
        var n = 0;
        list.forEach(function (p) { if (scores.has(p) && places.get(p) < RELATED && passes(p, key)) n += 1; });
        inGroup.set(value, n);
      });
      counts.set(key, inGroup);
    });
    return {
      results: numbers.map(function (p) { return page(p, places.get(p) === RELATED); }),
      direct: numbers.filter(function (p) { return places.get(p) < RELATED; }).length,
      counts: counts
    };
  }

  // Where a word stands in a normalised text: a Latin word only as a whole word.
  function findWord(normalized, word) {
    var latinStart = /^[a-z0-9]/.test(word), latinEnd = /[a-z0-9]$/.test(word);
    var at = normalized.indexOf(word);
    while (at >= 0) {
      var before = normalized.charAt(at - 1), after = normalized.charAt(at + word.length);
      if (!(latinStart && /[a-z0-9]/.test(before)) && !(latinEnd && /[a-z0-9]/.test(after))) return at;
      at = normalized.indexOf(word, at + 1);
    }
    return -1;
  }

  // The text around the first match of a word: it begins at most EXCERPT_BEFORE characters
  // before the match, after the last line break or 。 there.
  var EXCERPT_BEFORE = 40, EXCERPT_AFTER = 80;
  function excerpt(text, words) {
    // Map each character's normalised form back to its place in the original text.
    var original = chars(text), starts = [], normalized = "";
    original.forEach(function (ch) { starts.push(normalized.length); normalized += normalize(ch); });
    var best = -1, length = 0;
    words.forEach(function (w) {
      var at = findWord(normalized, w);
      if (at >= 0 && (best < 0 || at < best)) { best = at; length = w.length; }
    });
    var node = el("p", { "class": "jirei-result__excerpt" });
    if (best < 0) {
      var head = original.slice(0, EXCERPT_BEFORE + EXCERPT_AFTER).join("").replace(/\s+/g, " ");
      node.textContent = head + (original.length > EXCERPT_BEFORE + EXCERPT_AFTER ? "…" : "");
      return node;
    }
    var from = 0, to = original.length;
    for (var i = 0; i < starts.length; i++) { if (starts[i] <= best) from = i; if (starts[i] < best + length) to = i + 1; }
    var left = Math.max(0, from - EXCERPT_BEFORE);
    for (var j = from - 1; j >= left; j--) {
      if (original[j] === "\n" || original[j] === "。") { left = j + 1; break; }
    }
    var right = Math.min(original.length, to + EXCERPT_AFTER);
    node.appendChild(document.createTextNode((left > 0 ? "…" : "") + original.slice(left, from).join("").replace(/\s+/g, " ")));
    node.appendChild(el("mark", {}, original.slice(from, to).join("")));
    node.appendChild(document.createTextNode(original.slice(to, right).join("").replace(/\s+/g, " ") + (right < original.length ? "…" : "")));
    return node;
  }

  async function renderResults(list, results, words, start, mine) {
    var slice = results.slice(start, start + PAGE_SIZE);
    var items = await Promise.all(slice.map(function (r) { return r.data(); }));
    if (mine !== generation) return;  // a newer search owns the list now
    items.forEach(function (data, i) {
      var li = el("li", { "class": "jirei-result" });
      if (slice[i].related) li.classList.add("jirei-result--related");
      var h = el("h3", { "class": "jirei-result__title" });
      h.appendChild(el("a", { href: data.url }, data.meta.title));
      li.appendChild(h);
      li.appendChild(el("p", { "class": "jirei-result__meta" }, data.meta.place + "｜" + data.meta.field));
      if (slice[i].related) {
        li.appendChild(el("p", { "class": "jirei-result__relation" }, "前身または後継の制度で実施した事例"));
      }
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

  // A group's values with their counts. Programs and keywords: the most common first (ties in
  // the index's order); the others in the index's order (bands by size, fields 1–20,
  // prefectures in JIS order, years in time order). Selected values the index does not know
  // come last, so that they can be unchecked. Without an index (it failed to load) only the
  // selected values are listed, without counts, so that a later search keeps them.
  function facetValues(key, state, counts) {
    var known = index ? index.filters.get(key) || new Map() : new Map();
    var inGroup = counts ? counts.get(key) : null;
    var selected = new Set(state.selected.get(key) || []);
    var values = [];
    known.forEach(function (list, value) {
      var count = inGroup ? inGroup.get(value) || 0 : list.length;
      values.push({ value: value, count: count, checked: selected.has(value) });
    });
    if (BY_COUNT.has(key)) values.sort(function (a, b) { return b.count - a.count; });  // stable
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
  // a few dozen elements until someone asks for them). A long group has a box to find values:
  // while it holds text, the values containing it are listed instead.
  function renderGroup(key, title, state, counts) {
    var values = facetValues(key, state, counts);
    if (!values.length) return null;
    var fieldset = el("fieldset", { "class": "jirei-facet", "data-group": key });
    fieldset.appendChild(el("legend", {}, title));
    var finding = values.length > FIND_FROM ? (finds.get(key) || "") : "";
    if (values.length > FIND_FROM) {
      var findId = "f-find-" + key;
      var findLabel = el("label", { "for": findId, "class": "jirei-facet__find-label" }, title + "を探す");
      var find = el("input", {
        type: "search", id: findId, "class": "jirei-facet__find", autocomplete: "off", "data-find": key
      });
      find.value = finding;
      fieldset.appendChild(findLabel);
      fieldset.appendChild(find);
      find.addEventListener("keydown", function (event) { if (event.key === "Enter") event.preventDefault(); });
      find.addEventListener("input", function () {
        finds.set(key, find.value);
        var at = find.selectionStart;
        var next = renderGroup(key, title, state, counts);
        fieldset.replaceWith(next);
        var again = next.querySelector(".jirei-facet__find");
        again.focus();
        again.setSelectionRange(at, at);
      });
    }
    var wanted = normalize(finding.trim());
    if (wanted) {
      var matching = values.filter(function (item) { return normalize(item.value).indexOf(wanted) >= 0; });
      var listed = values.filter(function (item) {
        return item.checked || matching.slice(0, FIND_LIMIT).indexOf(item) >= 0;
      });
      listed.forEach(function (item) { fieldset.appendChild(facetOption(key, item)); });
      if (!matching.length) fieldset.appendChild(el("p", { "class": "jirei-facet__none" }, "「" + finding.trim() + "」を含む" + title + "はありません"));
      return fieldset;
    }
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

  // --- active filters: chips, and the number on the panel's button -------------------------
  function selectedCount(state) {
    var n = 0;
    state.selected.forEach(function (values) { n += values.length; });
    return n;
  }

  function groupTitle(key) {
    var found = GROUPS.filter(function (g) { return g[0] === key; })[0];
    return found ? found[1] : key;
  }

  function renderChips(root, state, remove) {
    var box = root.querySelector("#jirei-search-chips");
    box.textContent = "";
    var n = selectedCount(state);
    var toggle = root.querySelector("#jirei-search-toggle");
    toggle.textContent = n ? "絞り込み（" + n + "）" : "絞り込み";
    box.hidden = n === 0;
    if (!n) return;
    var list = el("ul", { "class": "jirei-chips", "aria-label": "選択中の絞り込み（押すと外れます）" });
    GROUPS.forEach(function (g) {
      (state.selected.get(g[0]) || []).forEach(function (value) {
        var li = el("li", {});
        var chip = el("button", {
          type: "button", "class": "jirei-chip", "data-group": g[0], "data-value": value,
          "aria-label": g[1] + "「" + value + "」を外す"
        });
        chip.appendChild(el("span", { "class": "jirei-chip__group" }, g[1] + ": "));
        chip.appendChild(document.createTextNode(value));
        chip.appendChild(el("span", { "class": "jirei-chip__x", "aria-hidden": "true" }, "×"));
        chip.addEventListener("click", function () { remove([[g[0], value]]); });
        li.appendChild(chip);
        list.appendChild(li);
      });
    });
    if (n > 1) {
      var li = el("li", {});
      var all = el("button", { type: "button", "class": "jirei-chip jirei-chip--all" }, "すべて外す");
      all.addEventListener("click", function () {
        var pairs = [];
        state.selected.forEach(function (values, key) { values.forEach(function (v) { pairs.push([key, v]); }); });
        remove(pairs);
      });
      li.appendChild(all);
      list.appendChild(li);
    }
    box.appendChild(list);
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

  function statusText(found) {
    var related = found.results.length - found.direct;
    if (!found.results.length) return "見つかりませんでした。キーワードを変えるか、絞り込みを外してください。";
    var text = found.direct + " 件見つかりました";
    if (related) text += "（ほかに、前身または後継の制度で実施した事例 " + related + " 件を後に示します）";
    return text;
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
      status.textContent = statusText(found);
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

  // The filter panel: beside the results on wide screens; on phones closed until its button
  // opens it over the page (Escape or 「結果を表示」 closes it and returns to the button).
  function initPanel(root) {
    var toggle = root.querySelector("#jirei-search-toggle");
    var panel = root.querySelector("#jirei-search-panel");
    var close = root.querySelector("#jirei-search-close");
    function setOpen(open, focus) {
      toggle.setAttribute("aria-expanded", String(open));
      panel.classList.toggle("jirei-search__panel--open", open);
      document.documentElement.classList.toggle("jirei-search-panel-open", open);
      if (focus) (open ? close : toggle).focus();
    }
    toggle.addEventListener("click", function () { setOpen(toggle.getAttribute("aria-expanded") !== "true", true); });
    close.addEventListener("click", function () { setOpen(false, true); });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") setOpen(false, true);
    });
    setOpen(false, false);
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
      start(next);
    }
    function start(next) {
      renderChips(root, next, function (pairs) {
        pairs.forEach(function (pair) {
          var box = document.getElementById(optionId(pair[0], pair[1]));
          if (box) box.checked = false;
        });
        var after = currentState(form);
        // values no checkbox stands for (unknown to the index) go with their chip
        pairs.forEach(function (pair) {
          var values = after.selected.get(pair[0]);
          if (values) after.selected.set(pair[0], values.filter(function (v) { return v !== pair[1]; }));
        });
        history.pushState(null, "", urlFromState(after));
        start(after);
        var chips = root.querySelectorAll(".jirei-chip");
        (chips.length ? chips[0] : input).focus();
      });
      run(root, next);
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); update(true); });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { update(false); }, 250); });
    root.querySelector("#jirei-search-filters").addEventListener("change", function (event) {
      if (event.target.type === "checkbox") update(true);
    });
    window.addEventListener("popstate", function () {
      var restored = stateFromUrl();
      input.value = restored.q;
      start(restored);
    });
    initPanel(root);
    start(state);
  }

  function init() {
    var root = document.getElementById("jirei-search");
    if (root) initSearchPage(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
