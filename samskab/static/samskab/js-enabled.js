// Loaded in <head> before the page is drawn: lets the stylesheet tell pages with JavaScript
// (mobile menu as a drawer) from pages without (menu shown in place), without a flash.
document.documentElement.classList.add("js");
