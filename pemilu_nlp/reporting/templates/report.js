// Text and topic filters: hide the cards and sections that do not match; nothing else runs.
(function () {
  "use strict";
  var query = document.getElementById("filter-text");
  var topic = document.getElementById("filter-topic");
  var counter = document.getElementById("filter-count");
  var sections = Array.prototype.map.call(document.querySelectorAll("section.topic"), function (section) {
    var cards = Array.prototype.map.call(section.querySelectorAll("article.doc"), function (card) {
      return { element: card, text: card.textContent.toLowerCase() };
    });
    return { element: section, cards: cards, visible: section.querySelector(".visible") };
  });

  function apply() {
    var needle = query.value.trim().toLowerCase();
    var wanted = topic.value;
    var total = 0;
    sections.forEach(function (section) {
      var inTopic = wanted === "" || section.element.dataset.topic === wanted;
      var visible = 0;
      section.cards.forEach(function (card) {
        var match = inTopic && (needle === "" || card.text.indexOf(needle) !== -1);
        card.element.hidden = !match;
        visible += match ? 1 : 0;
      });
      section.element.hidden = !inTopic || (needle !== "" && visible === 0);
      section.visible.textContent = visible.toLocaleString("en");
      total += visible;
    });
    counter.textContent = total.toLocaleString("en");
  }

  query.addEventListener("input", apply);
  topic.addEventListener("change", apply);
  apply();
}());
