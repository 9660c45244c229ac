"""The local stack only: emulated AWS (moto's DynamoDB and S3), the HTTP adapter that turns requests
into API Gateway v2 events, local JWTs, the local render backend, and the emulated Remotion Lambda
function (lambda_emulator/). Never shipped to Lambda.

May import `functions/`, `render/` and, for the emulated function's facts, `stacks/`; never
`cli/` or `tools/`.
"""
