# The rest of the src/ layer (search, the register's JSON form, exports), added to the same
# target as the redaction engine. Kept in its own file so the engine's list stays short.
target_sources(fieldnotes_src PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/strings.cpp
  ${CMAKE_CURRENT_LIST_DIR}/search.cpp
  ${CMAKE_CURRENT_LIST_DIR}/register.cpp
  ${CMAKE_CURRENT_LIST_DIR}/export.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bundle.cpp)
target_link_libraries(fieldnotes_src PUBLIC fieldnotes_vault PRIVATE nlohmann_json::nlohmann_json PkgConfig::ARCHIVE)
