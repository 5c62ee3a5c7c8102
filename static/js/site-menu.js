/* The public header on small screens: the search and the menu fold behind a "Menu" button (site.css hides
   them on phones until the header is open). Without scripts, a <noscript> style in base.html shows them and
   hides the button. A file, not an inline script: the Content-Security-Policy allows scripts from this site only. */
(function () {
    "use strict";
    var header = document.querySelector("[data-site-header]");
    var button = header && header.querySelector(".site-menu-toggle");
    if (!button) {
        return;
    }
    function setOpen(open) {
        header.classList.toggle("is-open", open);
        button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
        setOpen(!header.classList.contains("is-open"));
    });
    header.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && header.classList.contains("is-open")) {
            setOpen(false);
            button.focus();
        }
    });
})();
