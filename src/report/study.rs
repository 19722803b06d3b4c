pub struct StudyStats; pub struct Histogram; pub struct VendorCounts;
