"""The one list of modules a scene may import.

Compilation rejects anything else; the composition's injected `require`
(remotion_site/src/runtime/modules.ts) answers exactly these.
"""

TRANSITION_PRESENTATIONS = ("fade", "slide", "wipe", "flip", "clock-wipe", "none")

ALLOWED_MODULES: tuple[str, ...] = (
    "remotion",
    "react",
    "react/jsx-runtime",
    "@remotion/shapes",
    "@remotion/transitions",
    *(f"@remotion/transitions/{name}" for name in TRANSITION_PRESENTATIONS),
    "@remotion/paths",
    "@remotion/noise",
    "@iconify/react",
)


def package_of(specifier: str) -> str:
    parts = specifier.split("/")
    return "/".join(parts[:2]) if specifier.startswith("@") else parts[0]


# Packages given to esbuild as externals (it then keeps their subpaths external too, so the exact
# specifiers are checked against ALLOWED_MODULES afterwards).
EXTERNAL_PACKAGES: tuple[str, ...] = tuple(sorted({package_of(m) for m in ALLOWED_MODULES}))
