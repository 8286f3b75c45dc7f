"""call_targets: instantiation, methods via self/cls, super() and the MRO, decorators,
functions passed/assigned/returned, constructor-made objects, implicit dunder calls."""

from __future__ import annotations


def test_golden_objects_and_implicit_calls(resolution_repo):
    assert resolution_repo.calls("app.flows.run_objects") == {
        ("app.flows.run_objects", "Model", "app.models.Model.__init__", "instantiation"),
        ("app.flows.run_objects", "Model", "app.models.Model.__new__", "instantiation"),
        ("app.flows.run_objects", "m.save", "app.models.Base.save", "mro"),  # c = C(); c.m()
        ("app.flows.run_objects", "__enter__", "app.models.Model.__enter__", "implicit"),  # with m as inside
        ("app.flows.run_objects", "__exit__", "app.models.Model.__exit__", "implicit"),
        ("app.flows.run_objects", "inside.serialize", "app.models.Model.serialize", "attribute_of_class"),
        ("app.flows.run_objects", "__iter__", "app.models.Model.__iter__", "implicit"),  # for _ in m
        ("app.flows.run_objects", "__next__", "app.models.Model.__next__", "implicit"),
        ("app.flows.run_objects", "__add__", "app.models.Model.__add__", "implicit"),  # m + m
        ("app.flows.run_objects", "Model.create", "app.models.Base.create", "mro"),  # inherited classmethod
        ("app.flows.run_objects", "Model.check", "app.models.Base.check", "mro"),  # inherited staticmethod
        ("app.flows.run_objects", "util.Registry", "app.util.Registry.__init__", "instantiation"),
        ("app.flows.run_objects", "registry.register", "app.util.Registry.register", "attribute_of_class"),
        ("app.flows.run_objects", "registry.run", "app.util.Registry.run", "attribute_of_class"),
    }


def test_golden_methods_self_cls_and_super(resolution_repo):
    calls = resolution_repo.calls()
    assert ("app.models.Base.__init__", "self.setup", "app.models.Base.setup", "self_method") in calls
    # self.serialize() in Base.save dispatches to the override on Model instances too
    assert {c for c in calls if c[0] == "app.models.Base.save"} == {
        ("app.models.Base.save", "self.serialize", "app.models.Base.serialize", "self_method"),
        ("app.models.Base.save", "self.serialize", "app.models.Model.serialize", "self_method"),
    }
    # cls() in a classmethod instantiates every class it is called on
    assert {c[2] for c in calls if c[0] == "app.models.Base.create"} == {
        "app.models.Base.__init__",
        "app.models.Model.__init__",
        "app.models.Model.__new__",
    }
    assert ("app.models.Model.__init__", "super().__init__", "app.models.Base.__init__", "super") in calls
    assert ("app.models.Model.__init__", "super", "<builtin>.super", "builtin") in calls


def test_golden_function_values(resolution_repo):
    calls = resolution_repo.calls()
    assert {
        ("app.flows.run_alias", "f", "app.flows.target", "flow"),  # x = f; x()
        ("app.flows.run_dict", "handlers[]", "app.flows.target", "flow"),  # handlers["a"]()
        ("app.flows.run_return", "factory()", "app.flows.other", "flow"),  # returned function
        ("app.flows.apply", "fn", "app.flows.target", "flow"),  # passed as an argument
        ("app.util.Registry.run", "self.handlers[]", "app.flows.target", "flow"),  # stored on an object
        ("app.flows", "deco", "app.flows.deco", "decorator"),
        ("app.flows.run_decorated", "decorated", "app.flows.deco.wrapper", "flow"),  # the decorator's result
        ("app.flows.deco.wrapper", "fn", "app.flows.decorated", "flow"),
        ("main.main", "outer()", "app.scoping.outer.inner", "flow"),
    } <= calls
    assert ("app.flows.run_dict", "handlers[]", "app.flows.other", "flow") not in calls  # keyed items


def test_golden_imports_and_externals(resolution_repo):
    calls = resolution_repo.calls()
    assert ("main.main", "helper", "app.util.helper", "import") in calls  # through a star re-export
    assert ("main.main", "flows.run_objects", "app.flows.run_objects", "import") in calls
    assert ("app.models.Model.serialize", "json.dumps", "json.dumps", "external") in calls
    assert ("app.scoping", "len", "<builtin>.len", "builtin") in calls


def test_mro_diamond_and_super_chain(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            class A:
                def __init__(self): pass
                def who(self): pass
            class B(A):
                def __init__(self):
                    super().__init__()
            class C(A):
                def who(self):
                    return super().who()
            class D(B, C):
                pass
            d = D()
            d.who()
            """
        }
    )
    assert resolved.calls("m") == {
        ("m", "D", "m.B.__init__", "instantiation"),
        ("m", "d.who", "m.C.who", "mro"),  # D, B, C, A: C.who before A.who
    }
    assert ("m.B.__init__", "super().__init__", "m.A.__init__", "super") in resolved.calls()
    assert ("m.C.who", "super().who", "m.A.who", "super") in resolved.calls()


def test_new_and_external_bases(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            from framework import Base
            class Made:
                def __new__(cls):
                    return object.__new__(cls)
            class Plugin(Base):
                def run(self):
                    self.configure()
            Made()
            Plugin().run()
            """
        }
    )
    assert resolved.calls("m") == {
        ("m", "Made", "m.Made.__new__", "instantiation"),
        ("m", "Plugin", "framework.Base.__init__", "instantiation"),
        ("m", "Plugin().run", "m.Plugin.run", "attribute_of_class"),
    }
    assert resolved.calls("m.Plugin.run") == {
        ("m.Plugin.run", "self.configure", "framework.Base.configure", "external")
    }


def test_external_class_instances_have_methods_external_function_results_do_not(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            import json
            from ext import Client, _Private
            c = Client()
            c.send()
            _Private().run()
            json.loads("{}").get("a")
            """
        }
    )
    assert resolved.calls("m") == {
        ("m", "Client", "ext.Client", "external"),
        ("m", "c.send", "ext.Client.send", "external"),
        ("m", "_Private", "ext._Private", "external"),
        ("m", "_Private().run", "ext._Private.run", "external"),
        ("m", "json.loads", "json.loads", "external"),
        # what json.loads returns is unknown: no ``json.loads.get``
    }


def test_attributes_of_external_class_members_are_unknown(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            import os
            from ext import Runner
            class Local(Runner):
                def run(self):
                    self.channel.recv()
                    return os.path.join("a", "b")
            """
        }
    )
    assert resolved.calls("m.Local.run") == {
        ("m.Local.run", "os.path.join", "os.path.join", "external"),  # module attributes chain
        # self.channel is ext.Runner.channel: what it holds is unknown, no ext.Runner.channel.recv
    }


def test_values_flow_through_parameters_returns_and_attributes(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def work(): pass
            class Holder:
                def __init__(self, job):
                    self.job = job
                def start(self):
                    self.job()
            def make():
                return Holder(work)
            def main():
                handlers = [work]
                handlers[0]()
                make().start()
                table = {}
                table["k"] = work
                table.get("k")()
            """
        }
    )
    assert ("m.Holder.start", "self.job", "m.work", "flow") in resolved.calls()
    assert ("m.main", "handlers[]", "m.work", "flow") in resolved.calls()
    assert ("m.main", "table.get()", "m.work", "flow") in resolved.calls()
    assert ("m.main", "table.get", "<**PyDict**>.get", "builtin") in resolved.calls()


def test_callbacks_of_builtins(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def double(v): return v
            def key(v): return v
            def main(items):
                for f in map(double, items): pass
                sorted(items, key=key)
            """
        }
    )
    assert {c for c in resolved.calls("m.main") if c[3] == "callback"} == {
        ("m.main", "map", "m.double", "callback"),
        ("m.main", "sorted", "m.key", "callback"),
    }


def test_raise_instantiates_the_class(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            class Failure(Exception):
                def __init__(self): pass
            def fail():
                raise Failure
            """
        }
    )
    assert resolved.calls("m.fail") == {("m.fail", "Failure", "m.Failure.__init__", "instantiation")}


def test_ambiguity_group_is_the_call_site(resolution_repo):
    rows = [r for r in resolution_repo.rows("call_targets") if r["candidate_count"] > 1]
    for row in rows:
        group = [
            r for r in resolution_repo.rows("call_targets") if r["ambiguity_group"] == row["ambiguity_group"]
        ]
        assert len(group) == row["candidate_count"]
        assert {r["callsite_id"] for r in group} == {row["callsite_id"]}
        assert 0 < row["confidence"] < 1


def test_class_attributes_set_outside_the_class_body(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def extra(): pass
            def patched(self): pass
            def register(cls):
                cls.hook = staticmethod(extra)
                return cls
            @register
            class Plugin:
                def run(self):
                    self.hook()
                    self.patched()
            Plugin.patched = patched
            Plugin().run()
            """
        }
    )
    assert {(c[1], c[2]) for c in resolved.calls("m.Plugin.run")} == {
        ("self.hook", "m.extra"),
        ("self.patched", "m.patched"),
    }


def test_generators_unpacking_and_exceptions(resolve_files):
    resolved = resolve_files(
        {
            "m.py": """
            def f1(): pass
            def f2(): pass
            def gen():
                yield f1
            def take(a=None, b=None):
                a()
                b()
            class Failure(Exception):
                def describe(self): pass
            next(gen())()
            take(**{"a": f1, "b": f2})
            try:
                raise Failure()
            except Failure as err:
                err.describe()
            """
        }
    )
    calls = resolved.calls()
    assert ("m", "next()", "m.f1", "flow") in calls
    assert {c[2] for c in calls if c[0] == "m.take"} == {"m.f1", "m.f2"}
    assert ("m", "err.describe", "m.Failure.describe", "attribute_of_class") in calls
