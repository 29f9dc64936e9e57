// Progressive enhancement for Uplift's pages. Every page works without this script.
//
// The Content-Security-Policy forbids inline script, so instead of the GOV.UK page template's
// inline snippet we add the `govuk-frontend-supported` class here. This file is only ever
// loaded as `<script type="module">`, so a browser that runs it supports ES modules, which is
// exactly what the class promises to govuk-frontend. build.rs adds a content hash to the import
// below so that browsers can cache both files forever.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
