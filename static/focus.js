// Move focus to a summary of problems when a page comes back with one (autofocus alone is ignored on a <div>),
// so a keyboard or screen-reader user starts where the page says what went wrong.
(function () {
  "use strict";
  const target = document.querySelector("[autofocus][tabindex='-1']");
  if (target) target.focus();
})();
