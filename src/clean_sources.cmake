# The attachment metadata cleaner (src/clean.h): exiv2 for images, qpdf for PDFs.
target_sources(fieldnotes_src PRIVATE ${CMAKE_CURRENT_LIST_DIR}/clean.cpp)
target_link_libraries(fieldnotes_src PRIVATE PkgConfig::EXIV2 PkgConfig::QPDF)
# exiv2 0.27's API hands out std::auto_ptr (deprecated since C++11, still in libstdc++).
# qpdf 11: use its std::shared_ptr API only (no PointerHolder transition warnings).
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/clean.cpp PROPERTIES
  COMPILE_OPTIONS "-Wno-deprecated-declarations"
  COMPILE_DEFINITIONS "POINTERHOLDER_TRANSITION=4")
