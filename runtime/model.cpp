#include "runtime/model.hpp"

namespace deal::rt {

int Model::find_scenario(const std::string& name) const {
  for (size_t i = 0; i < scenarios.size(); ++i)
    if (scenarios[i].name == name) return int(i);
  return -1;
}
int Model::find_party(const std::string& name) const {
  for (size_t i = 0; i < parties.size(); ++i)
    if (parties[i].name == name) return int(i);
  return -1;
}
int Model::find_param(const std::string& name) const {
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name) return int(i);
  return -1;
}

}  // namespace deal::rt
