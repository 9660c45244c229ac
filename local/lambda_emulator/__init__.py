"""The pinned Remotion Lambda render function (`remotionlambda-arm64.zip`, `index.handler`), run on one
machine: an Invoke API on loopback, each invocation in its own process with a private /tmp and
/opt, the function's S3 traffic logged and held to S3's ACL rule, the render site deployed where
the stack deploys it. RENDER_MODE=lambda of the local stack runs on it (stack.py).
"""
