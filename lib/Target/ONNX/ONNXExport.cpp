//===- ONNXExport.cpp - aic graph to an ONNX model ------------------------===//
//
// The aic form is one op per ONNX node, so export is mechanical: SSA values
// become tensor names, `OnnxNodeOpInterface` ops nodes of the default
// domain, `aic.call` nodes of the callee's domain, inherent attributes ONNX
// attributes. The model is built with ONNX's own protobuf classes and must
// pass its checker and strict shape inference before a byte is written.
//
//===----------------------------------------------------------------------===//

#include "skipattn/Target/ONNX/ONNXExport.h"
#include "skipattn/Dialect/AIC/IR/AIC.h"
#include "skipattn/Dialect/SkipAttn/IR/SkipAttn.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/text_format.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

using namespace mlir;
using namespace mlir::skipattn;

namespace {
constexpr int64_t kOpsetVersion = 17;
constexpr int64_t kIRVersion = 8; // the IR version of opset 17

/// ONNX TensorProto data type of an element type, 0 if it has none here.
int32_t onnxElementType(Type t) {
  if (t.isF32())
    return onnx::TensorProto::FLOAT;
  if (t.isF16())
    return onnx::TensorProto::FLOAT16;
  if (t.isInteger(64))
    return onnx::TensorProto::INT64;
  if (t.isInteger(1))
    return onnx::TensorProto::BOOL;
  return 0;
}

class Exporter {
public:
  explicit Exporter(ModuleOp module) : module(module) {}

  LogicalResult build(onnx::ModelProto &model) {
    model.set_ir_version(kIRVersion);
    model.set_producer_name("skipattn");
    model.set_producer_version(SKIPATTN_VERSION);
    auto *opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOpsetVersion);

    func::FuncOp graphFn;
    llvm::StringSet<> domains;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (auto domain = fn->getAttrOfType<StringAttr>(aic::kDomainAttr)) {
        if (fn.isExternal())
          return fn.emitOpError("an ONNX function needs a body");
        if (failed(
                buildFunction(fn, domain.getValue(), *model.add_functions())))
          return failure();
        domains.insert(domain.getValue());
        continue;
      }
      if (graphFn)
        return fn.emitOpError("a model has one graph; '")
               << graphFn.getSymName() << "' is already it";
      graphFn = fn;
    }
    if (!graphFn)
      return module.emitError("no graph function to export (run "
                              "skipattn-aic-pipeline first)");
    for (const auto &domain : domains) {
      auto *custom = model.add_opset_import();
      custom->set_domain(domain.getKey().str());
      custom->set_version(1);
    }
    if (Attribute blocking = graphFn->getAttr("skipattn.kv_blocking")) {
      auto *prop = model.add_metadata_props();
      prop->set_key("skipattn.kv_blocking");
      std::string text;
      llvm::raw_string_ostream os(text);
      blocking.print(os);
      prop->set_value(text);
    }
    return buildGraph(graphFn, *model.mutable_graph());
  }

private:
  /// Names of the values of the function being exported.
  llvm::DenseMap<Value, std::string> names;
  unsigned counter = 0, nodeCounter = 0;
  ModuleOp module;

  std::string nameOf(Value v) {
    auto it = names.find(v);
    if (it != names.end())
      return it->second;
    std::string name = "t" + std::to_string(counter++);
    names[v] = name;
    return name;
  }

  static std::string ioName(ArrayRef<NamedAttribute> attrs,
                            StringRef fallback) {
    for (const NamedAttribute &a : attrs)
      if (a.getName() == aic::kNameAttr)
        return cast<StringAttr>(a.getValue()).str();
    return fallback.str();
  }

  LogicalResult setType(Location loc, Type type, ArrayAttr dims,
                        onnx::ValueInfoProto &info) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    int32_t elem = tensor ? onnxElementType(tensor.getElementType()) : 0;
    if (!elem)
      return emitError(loc) << "'" << info.name() << "' has type " << type
                            << ", which has no ONNX tensor form here";
    auto *t = info.mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem);
    auto *shape = t->mutable_shape();
    unsigned dynamicIndex = 0;
    for (int64_t i = 0; i < tensor.getRank(); ++i) {
      auto *dim = shape->add_dim();
      if (!tensor.isDynamicDim(i)) {
        dim->set_dim_value(tensor.getDimSize(i));
        continue;
      }
      // aic.dims names every dim (empty for static ones).
      std::string param;
      if (dims && i < static_cast<int64_t>(dims.size()))
        param = cast<StringAttr>(dims[i]).str();
      if (param.empty())
        param = info.name() + "_dim" + std::to_string(dynamicIndex);
      ++dynamicIndex;
      dim->set_dim_param(param);
    }
    return success();
  }

  static ArrayRef<NamedAttribute> argAttrs(func::FuncOp fn, unsigned i) {
    DictionaryAttr d = fn.getArgAttrDict(i);
    return d ? d.getValue() : ArrayRef<NamedAttribute>();
  }
  static ArrayRef<NamedAttribute> resultAttrs(func::FuncOp fn, unsigned i) {
    DictionaryAttr d = fn.getResultAttrDict(i);
    return d ? d.getValue() : ArrayRef<NamedAttribute>();
  }

  static ArrayAttr dimsOf(ArrayRef<NamedAttribute> attrs) {
    for (const NamedAttribute &a : attrs)
      if (a.getName() == aic::kDimsAttr)
        return cast<ArrayAttr>(a.getValue());
    return {};
  }

  LogicalResult buildGraph(func::FuncOp fn, onnx::GraphProto &graph) {
    names.clear();
    graph.set_name(fn.getSymName().str());
    for (BlockArgument arg : fn.getArguments()) {
      ArrayRef<NamedAttribute> attrs = argAttrs(fn, arg.getArgNumber());
      std::string name =
          ioName(attrs, "input" + std::to_string(arg.getArgNumber()));
      names[arg] = name;
      auto *info = graph.add_input();
      info->set_name(name);
      if (failed(setType(fn.getLoc(), arg.getType(), dimsOf(attrs), *info)))
        return failure();
    }
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    // A returned value takes its output's name where it can, else an
    // Identity node renames it.
    SmallVector<std::string> outNames;
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      std::string name =
          ioName(resultAttrs(fn, i), "output" + std::to_string(i));
      outNames.push_back(name);
      if (!names.count(v) && v.getDefiningOp())
        names[v] = name;
    }
    if (failed(buildNodes(fn, [&]() { return graph.add_node(); })))
      return failure();
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      if (names[v] != outNames[i]) {
        auto *id = graph.add_node();
        id->set_op_type("Identity");
        id->set_name("Identity_" + outNames[i]);
        id->add_input(names[v]);
        id->add_output(outNames[i]);
      }
      auto *info = graph.add_output();
      info->set_name(outNames[i]);
      if (failed(setType(fn.getLoc(), v.getType(), dimsOf(resultAttrs(fn, i)),
                         *info)))
        return failure();
    }
    return success();
  }

  LogicalResult buildFunction(func::FuncOp fn, StringRef domain,
                              onnx::FunctionProto &proto) {
    names.clear();
    proto.set_name(fn.getSymName().str());
    proto.set_domain(domain.str());
    auto *opset = proto.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOpsetVersion);
    for (BlockArgument arg : fn.getArguments()) {
      std::string name = ioName(argAttrs(fn, arg.getArgNumber()),
                                "input" + std::to_string(arg.getArgNumber()));
      names[arg] = name;
      proto.add_input(name);
    }
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      std::string name =
          ioName(resultAttrs(fn, i), "output" + std::to_string(i));
      if (!v.getDefiningOp() || names.count(v))
        return fn.emitOpError("an ONNX function must compute its outputs");
      names[v] = name;
      proto.add_output(name);
    }
    return buildNodes(fn, [&]() { return proto.add_node(); });
  }

  template <typename AddNode>
  LogicalResult buildNodes(func::FuncOp fn, AddNode addNode) {
    for (Operation &op : fn.getBody().front()) {
      if (isa<func::ReturnOp>(op))
        continue;
      onnx::NodeProto *node = addNode();
      if (auto call = dyn_cast<aic::CallOp>(op)) {
        auto callee = module.lookupSymbol<func::FuncOp>(call.getCalleeAttr());
        node->set_op_type(call.getCallee().str());
        node->set_domain(
            callee->getAttrOfType<StringAttr>(aic::kDomainAttr).str());
      } else if (auto onnxOp = dyn_cast<aic::OnnxNodeOpInterface>(op)) {
        node->set_op_type(onnxOp.getOnnxOpType().str());
        if (failed(addAttributes(op, *node)))
          return failure();
      } else {
        return op.emitOpError("has no ONNX form (only aic ops can be "
                              "exported)");
      }
      node->set_name(node->op_type() + "_" + std::to_string(nodeCounter++));
      for (Value operand : op.getOperands())
        node->add_input(nameOf(operand));
      for (Value result : op.getResults())
        node->add_output(nameOf(result));
    }
    return success();
  }

  static LogicalResult setTensor(Location loc, ElementsAttr attr,
                                 onnx::TensorProto &t) {
    auto type = cast<ShapedType>(attr.getType());
    Type elem = type.getElementType();
    t.set_data_type(onnxElementType(elem));
    for (int64_t d : type.getShape())
      t.add_dims(d);
    auto dense = dyn_cast<DenseElementsAttr>(attr);
    if (!dense)
      return emitError(loc) << "only dense constants can be exported";
    if (elem.isF32()) {
      for (float v : dense.getValues<float>())
        t.add_float_data(v);
    } else if (elem.isF16()) {
      // float16 travels as its bit pattern in int32_data.
      for (const APFloat &v : dense.getValues<APFloat>())
        t.add_int32_data(
            static_cast<int32_t>(v.bitcastToAPInt().getZExtValue()));
    } else if (elem.isInteger(64)) {
      for (int64_t v : dense.getValues<int64_t>())
        t.add_int64_data(v);
    } else if (elem.isInteger(1)) {
      for (bool v : dense.getValues<bool>())
        t.add_int32_data(v);
    } else {
      return emitError(loc)
             << "constant of type " << elem << " has no ONNX form here";
    }
    return success();
  }

  LogicalResult addAttributes(Operation &op, onnx::NodeProto &node) {
    for (StringAttr name : op.getRegisteredInfo()->getAttributeNames()) {
      std::optional<Attribute> value = op.getInherentAttr(name.getValue());
      if (!value || !*value)
        continue; // absent: the ONNX default applies
      auto *a = node.add_attribute();
      a->set_name(name.str());
      if (auto i = dyn_cast<IntegerAttr>(*value)) {
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(i.getInt());
      } else if (auto f = dyn_cast<FloatAttr>(*value)) {
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(static_cast<float>(f.getValueAsDouble()));
      } else if (auto ints = dyn_cast<DenseI64ArrayAttr>(*value)) {
        a->set_type(onnx::AttributeProto::INTS);
        for (int64_t v : ints.asArrayRef())
          a->add_ints(v);
      } else if (auto t = dyn_cast<TypeAttr>(*value)) {
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(onnxElementType(t.getValue()));
      } else if (auto e = dyn_cast<ElementsAttr>(*value)) {
        a->set_type(onnx::AttributeProto::TENSOR);
        if (failed(setTensor(op.getLoc(), e, *a->mutable_t())))
          return failure();
      } else if (auto s = dyn_cast<StringAttr>(*value)) {
        a->set_type(onnx::AttributeProto::STRING);
        a->set_s(s.str());
      } else {
        return op.emitOpError("attribute '")
               << name.getValue() << "' has no ONNX form";
      }
    }
    return success();
  }
};

/// Runs the ONNX checker and strict shape inference (what
/// `onnx.checker.check_model(m, full_check=True)` does). ONNX reports
/// through exceptions, which do not cross this function.
LogicalResult checkModel(ModuleOp module, const onnx::ModelProto &model) {
  try {
    onnx::checker::check_model(model);
    onnx::ModelProto inferred = model;
    onnx::ShapeInferenceOptions options(/*check_type=*/true,
                                        /*strict_mode=*/1,
                                        /*data_prop=*/false);
    onnx::shape_inference::InferShapes(
        inferred, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    return module.emitError("the ONNX checker rejects the model: ") << e.what();
  }
  return success();
}

llvm::cl::opt<std::string> companionDir(
    "aic-companion-dir",
    llvm::cl::desc("With --skipattn-to-onnx: also write specializations.json "
                   "and custom_io.yaml into this directory"),
    llvm::cl::init(""));
} // namespace

LogicalResult mlir::skipattn::exportONNX(ModuleOp module, raw_ostream &os,
                                         ONNXFormat format) {
  onnx::ModelProto model;
  if (failed(Exporter(module).build(model)) ||
      failed(checkModel(module, model)))
    return failure();
  std::string bytes;
  if (format == ONNXFormat::Text) {
    if (!google::protobuf::TextFormat::PrintToString(model, &bytes))
      return module.emitError("cannot print the ONNX model as text");
  } else if (!model.SerializeToString(&bytes)) {
    return module.emitError("cannot serialise the ONNX model");
  }
  os << bytes;
  return success();
}

LogicalResult mlir::skipattn::writeAICCompanionFiles(ModuleOp module,
                                                     StringRef dir) {
  auto specs = module->getAttrOfType<ArrayAttr>(aic::kSpecializationsAttr);
  auto customIO = module->getAttrOfType<DictionaryAttr>(aic::kCustomIOAttr);
  if (!specs || !customIO)
    return module.emitError("the module has no '")
           << aic::kSpecializationsAttr << "' and '" << aic::kCustomIOAttr
           << "' (run skipattn-aic-pipeline first)";
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return module.emitError("cannot create '") << dir << "': " << ec.message();

  // specializations.json: every size as a string, as the compiler expects.
  llvm::json::Array entries;
  for (Attribute a : specs) {
    llvm::json::Object entry;
    for (NamedAttribute field : cast<DictionaryAttr>(a)) {
      if (auto i = dyn_cast<IntegerAttr>(field.getValue()))
        entry[field.getName().str()] = std::to_string(i.getInt());
      else if (auto s = dyn_cast<StringAttr>(field.getValue()))
        entry[field.getName().str()] = s.str();
    }
    entries.push_back(std::move(entry));
  }
  llvm::json::Object root{{"specializations", std::move(entries)}};

  auto write = [&](StringRef file, auto &&fill) -> LogicalResult {
    SmallString<256> path(dir);
    llvm::sys::path::append(path, file);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec)
      return module.emitError("cannot write '")
             << path << "': " << ec.message();
    fill(os);
    return success();
  };
  if (failed(write("specializations.json", [&](raw_ostream &os) {
        os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root)))
           << "\n";
      })))
    return failure();
  return write("custom_io.yaml", [&](raw_ostream &os) {
    os << "# I/O kept in another precision than the fp16-converted model\n";
    for (NamedAttribute io : customIO) {
      os << "- IOName: " << io.getName().getValue() << "\n"
         << "  Precision: float16\n\n";
    }
  });
}

void mlir::skipattn::registerToONNXTranslations() {
  auto registerDialects = [](DialectRegistry &registry) {
    // skipattn for the kv_blocking attribute the graph carries; the rest so
    // that a module that was not lowered parses and gets a clear error.
    registry.insert<aic::AICDialect, func::FuncDialect, SkipAttnDialect,
                    arith::ArithDialect, tensor::TensorDialect>();
  };
  auto translate = [](ONNXFormat format) {
    return [format](Operation *op, raw_ostream &os) -> LogicalResult {
      auto module = dyn_cast<ModuleOp>(op);
      if (!module)
        return op->emitError("expected a builtin.module");
      if (failed(exportONNX(module, os, format)))
        return failure();
      if (!companionDir.empty())
        return writeAICCompanionFiles(module, companionDir);
      return success();
    };
  };
  TranslateFromMLIRRegistration binary(
      "skipattn-to-onnx", "Write an aic-form module as an ONNX model",
      translate(ONNXFormat::Binary), registerDialects);
  TranslateFromMLIRRegistration text(
      "skipattn-to-onnx-text",
      "Write an aic-form module as an ONNX model in protobuf text format",
      translate(ONNXFormat::Text), registerDialects);
}
