//===- FuzzerReplayMain.cpp - run fuzz targets without libFuzzer ----------===//
//
// A main for the fuzz targets in builds without libFuzzer (GCC, or clang
// without -DSKIPATTN_USE_SANITIZE_COVERAGE=ON), in the manner of LLVM's
// DummyFuzzerMain: every file named on the command line, or found directly
// in a directory named there, is passed once to LLVMFuzzerTestOneInput.
// Corpora and crash reproducers thus run as regression tests everywhere;
// fuzzing itself needs the libFuzzer build.
//
//===----------------------------------------------------------------------===//

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int *argc,
                                                          char ***argv);

static bool runFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.data()),
                         bytes.size());
  return true;
}

int main(int argc, char **argv) {
  if (LLVMFuzzerInitialize)
    LLVMFuzzerInitialize(&argc, &argv);
  size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-')
      continue; // libFuzzer flags: meaningless here
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      std::fprintf(stderr, "no such input: %s\n", argv[i]);
      return 2;
    }
    std::vector<std::string> files;
    if (S_ISDIR(st.st_mode)) {
      DIR *d = opendir(argv[i]);
      while (dirent *e = d ? readdir(d) : nullptr) {
        std::string p = std::string(argv[i]) + "/" + e->d_name;
        struct stat fst;
        if (stat(p.c_str(), &fst) == 0 && S_ISREG(fst.st_mode))
          files.push_back(p);
      }
      if (d)
        closedir(d);
    } else {
      files.push_back(argv[i]);
    }
    for (const std::string &f : files) {
      if (!runFile(f))
        return 2;
      ++runs;
    }
  }
  std::printf("replayed %zu inputs, no crash\n", runs);
  return 0;
}
