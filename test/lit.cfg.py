# -*- Python -*-
# lit configuration of the skipattn regression suite.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "SKIPATTN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.skipattn_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()
config.substitutions.append(("%examples", os.path.join(config.skipattn_src_root, "examples")))

tool_dirs = [config.skipattn_tools_dir, config.llvm_tools_dir]
tools = ["skipattn-opt", "FileCheck", "not", "count"]
if os.path.exists(os.path.join(config.skipattn_tools_dir, "skipattn-run")):
    tools.append("skipattn-run")
    config.available_features.add("skipattn-run")
llvm_config.add_tool_substitutions(tools, tool_dirs)
