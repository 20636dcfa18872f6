"""Copies the model into build/registry/ with the next version number."""
import os
import shutil
import sys

from common import BUILD, outputs

model, f1 = sys.argv[1], sys.argv[2]
registry = os.path.join(BUILD, "registry")
os.makedirs(registry, exist_ok=True)
version = 1 + sum(1 for name in os.listdir(registry) if name.endswith(".json"))
target = os.path.join(registry, f"model-v{version}.json")
shutil.copyfile(model, target)
print(f"registered {target} (f1 {f1})")
outputs(version=version, path=target)
