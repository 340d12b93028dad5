#include "src/redact/engine.h"

#include "src/redact/register_index.h"

namespace fieldnotes::redact {

Engine::~Engine() = default;

std::shared_ptr<const Engine> Engine::compile(const std::vector<PersonEntry>& people) {
  std::shared_ptr<Engine> engine(new Engine());
  engine->index_ = std::make_unique<RegisterIndex>(RegisterIndex::build(people));
  return engine;
}

}  // namespace fieldnotes::redact
