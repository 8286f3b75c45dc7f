"""Call semantics of the flow (flow_calls and the builtins and operators it models):
keyword mappings, iteration protocols, concatenation, special methods of builtins,
exception handlers, functools.partial, and module code reading functions' globals."""

from __future__ import annotations


def test_double_star_arguments_bind_each_parameter_to_the_item_of_its_name(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def ok(): pass
            def fail(): pass
            def connect(host, on_success=None, on_error=None):
                on_success()
            def forward(func, *args, **kwargs):
                return func(*args, **kwargs)
            connect("h", **{"on_success": ok, "on_error": fail})
            forward(connect, "h", on_success=ok, on_error=fail)
            """
        }
    )
    assert {c[2] for c in resolved.calls() if c[0] == "m.connect"} == {"m.ok"}


def test_loops_over_an_object_whose_iter_is_a_generator_get_what_it_yields(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def play(): pass
            class Playlist:
                def __init__(self, songs):
                    self.songs = songs
                def __iter__(self):
                    for song in self.songs:
                        yield song
            for song in Playlist([play]):
                song()
            """
        }
    )
    assert ("m", "song", "m.play", "flow") in resolved.calls()


def test_module_code_sees_what_functions_store_under_global(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def first(): pass
            def second(): pass
            current = first
            def switch():
                global current
                current = second
            switch()
            current()
            """
        }
    )
    assert {c[2] for c in resolved.calls() if c[:2] == ("m", "current")} == {"m.first", "m.second"}


def test_concatenated_lists_and_tuples_hold_the_items_of_both(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def ping(): pass
            def pong(): pass
            def pang(): pass
            handlers = []
            for target in (ping, pong):
                handlers = handlers + [target]
            for handler in handlers:
                handler()
            for other in (pang,) + tuple(handlers):
                other()
            """
        }
    )
    calls = resolved.calls()
    assert {c[2] for c in calls if c[1] == "handler"} == {"m.ping", "m.pong"}
    assert {c[2] for c in calls if c[1] == "other"} == {"m.ping", "m.pong", "m.pang"}


def test_builtins_call_the_special_methods_of_their_arguments_classes(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def counted(): pass
            class Bag:
                def __len__(self):
                    return counted()
                def __repr__(self):
                    return "Bag"
            class Plain:
                pass
            bag = Bag()
            len(bag)
            str(bag)
            bool(bag)
            len(Plain())
            """
        }
    )
    assert {c for c in resolved.calls() if c[0] == "m" and c[3] == "implicit"} == {
        ("m", "len", "m.Bag.__len__", "implicit"),
        ("m", "str", "m.Bag.__repr__", "implicit"),  # no __str__: str() runs __repr__
        ("m", "bool", "m.Bag.__len__", "implicit"),  # no __bool__: bool() runs __len__
    }


def test_a_handler_of_a_tuple_of_classes_binds_instances_of_each(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            class NotFound(Exception):
                def respond(self): pass
            class Forbidden(Exception):
                def respond(self): pass
            ERRORS = (NotFound, Forbidden)
            def serve(fetch):
                try:
                    fetch()
                except (NotFound, Forbidden) as exc:
                    exc.respond()
                except ERRORS as other:
                    other.respond()
            """
        }
    )
    calls = resolved.calls()
    assert {c[2] for c in calls if c[1] == "exc.respond"} == {"m.NotFound.respond", "m.Forbidden.respond"}
    assert {c[2] for c in calls if c[1] == "other.respond"} == {"m.NotFound.respond", "m.Forbidden.respond"}


def test_calling_a_functools_partial_calls_its_function(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            import functools
            from functools import partial
            def log(level, message): pass
            class Mailer:
                def send(self, to, body): pass
            warn = functools.partial(log, "WARN")
            to_admin = partial(Mailer().send, "admin")
            warn("disk full")
            to_admin("disk full")
            """
        }
    )
    calls = resolved.calls()
    assert {c[2] for c in calls if c[1] == "warn"} == {"m.log"}
    assert {c[2] for c in calls if c[1] == "to_admin"} == {"m.Mailer.send"}
    assert {c[2] for c in calls if c[1] in ("functools.partial", "partial")} == {"functools.partial"}
