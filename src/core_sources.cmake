# The rest of the src/ layer (search, the register's JSON form, exports, sharing), added to the same
# target as the redaction engine. Kept in its own file so the engine's list stays short.
target_sources(fieldnotes_src PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/strings.cpp
  ${CMAKE_CURRENT_LIST_DIR}/search.cpp
  ${CMAKE_CURRENT_LIST_DIR}/register.cpp
  ${CMAKE_CURRENT_LIST_DIR}/export.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bundle.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ram_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/share.cpp
  ${CMAKE_CURRENT_LIST_DIR}/receive.cpp)
target_link_libraries(fieldnotes_src PUBLIC fieldnotes_vault PRIVATE nlohmann_json::nlohmann_json PkgConfig::ARCHIVE)
