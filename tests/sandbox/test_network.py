"""No reach to loopback, private or link-local addresses from scene code."""

import errno

import pytest

from tests.helpers.sandbox import Listener, hostile, leaks, render

pytestmark = pytest.mark.render


def test_a_listener_on_a_loopback_port_receives_nothing(worker, listener, tmp_path):
    port = listener.port
    targets = [
        f"http://127.0.0.1:{port}",
        f"http://localhost:{port}",
        f"https://127.0.0.1:{port}",
        f"http://[::ffff:127.0.0.1]:{port}",
        f"http://2130706433:{port}",
        f"https://localhost:{port}",
    ]
    result = render(worker, tmp_path, hostile("reach.tsx", targets=targets))
    assert listener.connections == []
    assert leaks(result) == []
    blocked = [w for w in result.warnings if "the render sandbox blocked" in w]
    assert any(f"127.0.0.1:{port}" in w for w in blocked)
    assert any("refused window.open()" in w for w in result.warnings)
    assert any("refused to navigate" in w for w in result.warnings)
    assert any("refused creating <iframe>" in w for w in result.warnings)


@pytest.fixture
def runtime_api():
    """A stand-in for the Lambda Runtime API on 127.0.0.1:9001 (skipped if the port is taken)."""
    try:
        running = Listener(9001)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        pytest.skip("127.0.0.1:9001 is in use on this machine")
    yield running
    running.close()


def test_the_lambda_runtime_api_and_the_metadata_service_are_unreachable(worker, runtime_api, tmp_path):
    targets = [
        "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
        "http://169.254.169.254/latest/meta-data",
        "http://169.254.170.2/v2/credentials",
        "http://10.0.0.1",
        "http://192.168.1.1",
    ]
    result = render(worker, tmp_path, hostile("reach.tsx", targets=targets))
    assert runtime_api.connections == []
    assert leaks(result) == []
    blocked = " ".join(w for w in result.warnings if "the render sandbox blocked" in w)
    for host in ("127.0.0.1:9001", "169.254.169.254", "169.254.170.2", "10.0.0.1", "192.168.1.1"):
        assert host in blocked


def test_the_api_and_the_emulator_of_the_local_stack_are_unreachable(worker, tmp_path):
    from local.stack import LocalStack, StackSettings

    with LocalStack(StackSettings(port=0, state_dir=None)) as stack:
        api, emulator = f"http://127.0.0.1:{stack.port}", f"http://127.0.0.1:{stack.emulator_port}"
        targets = [
            api,
            f"{api}/health",
            emulator,
            f"{emulator}/?Action=ListTables",
            f"http://localhost:{stack.emulator_port}",
        ]
        result = render(worker, tmp_path, hostile("reach.tsx", targets=targets))
        # Had anything got through, the scene would have reported what came back.
        assert leaks(result) == []
        blocked = " ".join(w for w in result.warnings if "the render sandbox blocked" in w)
        assert f"127.0.0.1:{stack.port}" in blocked and f"127.0.0.1:{stack.emulator_port}" in blocked


def test_public_https_and_the_sites_own_files_stay_allowed(worker, tmp_path):
    """The control: the policy refuses by address, not everything."""
    urls = [
        "https://example.com/image.png",
        "https://images.unsplash.com/photo.jpg",
        "https://fonts.gstatic.com/s/x.woff2",
        "https://api.iconify.design/mdi.json?icons=home",
        "https://cdn.example.org/a.png",
        "https://media.example.co.uk/b.png",
    ]
    result = render(worker, tmp_path, hostile("public.tsx", urls=urls))
    assert [w for w in result.warnings if "the render sandbox" in w] == []
