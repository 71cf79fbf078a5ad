/* The receipt page's print button: hidden without JavaScript, so it never does nothing. */
window.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-receipt");
  if (!button) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
