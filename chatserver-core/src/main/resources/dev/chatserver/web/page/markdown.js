// chatserver chat page: renders an answer's Markdown safely, again and again while it streams.
//   ChatMarkdown.render(bubble, text)  replaces the bubble's content with the rendered text
// marked (lib/marked.js) turns Markdown into HTML; DOMPurify (lib/purify.js) then removes everything that could run
// code, load something or change the page (scripts, event attributes, images, forms, styles, javascript: links),
// parsing the HTML in an inert document, so nothing of it ever runs. Both libraries are installed from the npm
// registry by the build and served by the server itself. Without them (a build that skipped them) the answer is
// shown as plain text.
"use strict";

window.ChatMarkdown = (() => {
  const purifier = typeof DOMPurify === "function" || typeof DOMPurify === "object" ? DOMPurify : null;
  const markdown = typeof marked === "object" && marked !== null ? marked : null;
  const available = purifier !== null && purifier.isSupported && markdown !== null;

  const SANITIZE = {
    USE_PROFILES: {html: true},           // no SVG, no MathML
    FORBID_TAGS: ["img", "picture", "video", "audio", "source", "style", "form", "input", "button", "textarea",
      "select", "option", "iframe", "object", "embed", "link", "meta", "base", "dialog", "details", "summary"],
    FORBID_ATTR: ["style", "id", "name", "srcset", "action", "formaction", "autofocus", "tabindex"],
    ALLOW_DATA_ATTR: false,
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
    RETURN_DOM_FRAGMENT: true,
  };

  if (available) {
    markdown.setOptions({gfm: true, breaks: true, async: false});
    // Every remaining link opens in a new tab that cannot reach back to this page.
    purifier.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A") {
        if (node.hasAttribute("href")) {
          node.setAttribute("target", "_blank");
          node.setAttribute("rel", "noopener noreferrer");
        } else {
          node.removeAttribute("target");
        }
      }
    });
  }

  // ```lang fences become <pre><code class="language-lang">: a header with the language and a copy button.
  function decorateCode(fragment) {
    for (const code of fragment.querySelectorAll("pre > code")) {
      const pre = code.parentElement;
      const language = (/(?:^|\s)language-(\S+)/.exec(code.className) || [])[1] || "";
      const block = document.createElement("div");
      block.className = "code-block";
      const head = document.createElement("div");
      head.className = "code-head";
      const label = document.createElement("span");
      label.className = "code-lang";
      label.textContent = language || "code";
      const copy = document.createElement("button");
      copy.type = "button";
      copy.className = "secondary copy";
      copy.textContent = "Copy";
      copy.title = "Copy the code";
      copy.addEventListener("click", () => copyText(code.textContent, copy));
      head.append(label, copy);
      pre.replaceWith(block);
      block.append(head, pre);
    }
  }

  async function copyText(text, button) {
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch {
      // no clipboard API (or no permission): the old way, through a selected hidden text area
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.append(area);
      area.select();
      try {
        done = document.execCommand("copy");
      } catch {
        done = false;
      }
      area.remove();
    }
    button.textContent = done ? "Copied" : "Copy failed";
    button.dataset.copied = String(done);
    setTimeout(() => {
      button.textContent = "Copy";
      delete button.dataset.copied;
    }, 1500);
  }

  function render(bubble, text) {
    if (!available) {
      bubble.textContent = text;
      return;
    }
    try {
      const fragment = purifier.sanitize(markdown.parse(text), SANITIZE);
      decorateCode(fragment);
      bubble.replaceChildren(fragment);
    } catch (error) {
      bubble.textContent = text;          // never lose the answer over a rendering problem
    }
  }

  return {render, available};
})();
