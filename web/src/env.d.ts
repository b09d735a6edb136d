// Vite's ambient types: stylesheets imported for their side effect, import.meta.env.
/// <reference types="vite/client" />
